"""Load: N browser-like sessions at once, over Streamlit's own websocket (issue 19).

One embedded Postgres with the demo data; as many portal processes (`streamlit run
streamlit_app.py`) as cores, and as many processes of a floor app: a one-line Streamlit app
(`st.write("hi")` on each of the same pages) served the same way, as an `st.App` with a
/healthz route. HAProxy, configured by `portal proxy-config`, stands in front of one process,
then of all of them. For N = 1, 10, 25, 50 sessions at once, each session does a few tasks;
a task opens a new tab (a new websocket on /_stcore/stream) and does a role's main task, one
step per rerun of the script:

- a visitor (four tasks in five): loads the job board, searches it (types a word from a
  job's title in the search box), opens that job, goes back to the board;
- a recruiter, signed in by the portal's session cookie on the handshake (one in five):
  opens Overview, Job postings and a posting.

A step is timed from sending the rerun (for the first step of a task, from opening the
websocket) until the run's `script_finished`, and counts only if what it should show arrived
(the page's heading, the job's title in the search results…): a failed step is counted apart,
not timed, and ends its task. The floor is driven by the same client, through the same proxy,
in the same run, with the same steps (its "search" sends the word in the query string, as it
has no search box). Prints p50 / p95 per step beside the floor's, and throughput (timed steps
per second over the run) with one process and with several.

    .venv/bin/python benchmarks/load.py [--sessions 1 10 25 50] [--tasks 40 | --rounds R]

With --tasks T each session does T / N tasks (at least 1, at most 10), so that a run has about
T tasks whatever N is; --rounds R makes it R for every N.

What a browser does besides the websocket (the HTML, Streamlit's JavaScript, static files) is
not sent: the figures are the server's. The client runs on the same machine and takes its
(small) share of the cores. Needs Debian's haproxy.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA_DIR = Path(tempfile.mkdtemp(prefix="boomerang-load-"))
os.environ["PORTAL_DATA_DIR"] = str(DATA_DIR)
os.environ["PORTAL_SECRETS_FILE"] = str(DATA_DIR / "no-secrets.toml")
os.environ.pop("DATABASE_URL", None)

from benchmarks.serving import HAPROXY, start_app, start_proxy, stop  # noqa: E402
from benchmarks.streamlit_client import Tab, write_floor  # noqa: E402

STEP_TIMEOUT = 120.0  # seconds: a step that takes longer fails
SEARCH_LABEL = "Search jobs"  # the job board's search box


# --- The tasks -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    name: str
    page: str  # URL path; "" is the default page
    query: dict[str, str] = field(default_factory=dict)
    search: str | None = None  # typed into the page's search box
    expect: tuple[str, ...] = ()  # texts the page must show
    listed: frozenset[str] | None = None  # exactly these of the jobs' titles as headings


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    word: str  # a word of its title: searching the board for it lists the job
    found: frozenset[str] = frozenset()  # the titles that search lists


def visitor_task(job: Job, floor: bool) -> list[Step]:
    if floor:
        return [Step("visitor: board", ""), Step("visitor: search", "", {"q": job.word}),
                Step("visitor: job", "job", {"id": job.id, "q": job.word}),
                Step("visitor: back", "", {"q": job.word})]
    return [Step("visitor: board", "", expect=("Work at", "View and apply")),
            # Typed in the search box, which is bound to the address (?q=), as the browser sends it.
            Step("visitor: search", "", {"q": job.word}, search=job.word, expect=(job.title,),
                 listed=job.found),
            Step("visitor: job", "job", {"id": job.id, "q": job.word},
                 expect=(job.title, "Questions about this job")),
            Step("visitor: back", "", {"q": job.word}, expect=("Work at", job.title))]


def recruiter_task(posting: Job, floor: bool) -> list[Step]:
    if floor:
        return [Step("recruiter: overview", "overview"), Step("recruiter: postings", "postings"),
                Step("recruiter: posting", "posting", {"id": posting.id})]
    return [Step("recruiter: overview", "overview", expect=("Recruiting overview",)),
            Step("recruiter: postings", "postings", expect=("Job postings",)),
            Step("recruiter: posting", "posting", {"id": posting.id}, expect=(posting.title, "All postings"))]


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failed: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)

    def steps(self) -> int:
        return sum(len(values) for values in self.times.values())


async def run_task(base_url: str, steps: list[Step], cookies: dict[str, str] | None, floor: bool,
                   results: Results, titles: frozenset[str] = frozenset()) -> None:
    """One tab doing `steps`; each timed, or counted as failed (which ends the task). `titles`:
    every job's title, for the steps that list some of them."""
    tab = Tab(base_url, cookies)
    try:
        for number, step in enumerate(steps):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(STEP_TIMEOUT):
                    if number == 0:
                        await tab.open()
                    widgets = None
                    if step.search is not None:
                        widgets = {tab.last.text_inputs[SEARCH_LABEL]: step.search}
                    screen = await tab.run(step.page, urlencode(step.query), widgets)
            except Exception as error:  # noqa: BLE001 - counted apart, not timed
                results.failed[step.name] += 1
                results.reasons[f"{step.name}: {type(error).__name__} {error}"[:160]] += 1
                return
            elapsed = time.perf_counter() - started
            missing = [text for text in (step.expect or (("hi",) if floor else ())) if not screen.shows(text)]
            if step.listed is not None:
                shown = set(screen.headings) & titles
                missing += [f"{title} listed" for title in step.listed - shown]
                missing += [f"{title} not listed" for title in shown - step.listed]
            if screen.errors or missing:
                results.failed[step.name] += 1
                why = "; ".join(screen.errors) or f"missing {missing}"
                results.reasons[f"{step.name}: {why}"[:160]] += 1
                return
            results.times[step.name].append(elapsed)
    finally:
        try:
            await tab.close()
        except Exception:  # noqa: BLE001, S110 - the tab is going anyway
            pass


@dataclass(frozen=True)
class Site:
    """What the sessions drive: the portal or the floor, behind one proxy."""

    url: str
    floor: bool
    jobs: list[Job]
    posting: Job
    cookies: list[dict[str, str]]  # the demo recruiter's session cookies, shared round the sessions
    titles: frozenset[str]  # every published job's title

    def task(self, session: int, number: int) -> tuple[list[Step], dict[str, str] | None]:
        """The `number`-th task of all (round by round): one in five is a recruiter's."""
        if number % 5 == 1:
            return recruiter_task(self.posting, self.floor), self.cookies[session % len(self.cookies)]
        return visitor_task(self.jobs[number % len(self.jobs)], self.floor), None


@dataclass(frozen=True)
class Run:
    results: Results
    elapsed: float  # seconds, wall clock
    client_cpu: float  # seconds of CPU this process (the client) used

    def throughput(self) -> float:
        return self.results.steps() / self.elapsed

    def cell(self) -> str:
        return f"{self.throughput():8.1f} ({self.client_cpu / self.elapsed:4.0%})"


async def load(site: Site, sessions: int, rounds: int) -> Run:
    results = Results()

    async def session(k: int) -> None:
        for round_ in range(rounds):
            steps, cookies = site.task(k, round_ * sessions + k)
            await run_task(site.url, steps, cookies, site.floor, results, site.titles)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(session(k) for k in range(sessions)))
    return Run(results, time.perf_counter() - started, time.process_time() - cpu)


async def warm_up(site: Site, apps: list[str]) -> Results:
    """Each process's first runs (imports, compiling the pages) are not timed."""
    results = Results()
    for app in apps:
        for number in (0, 1):
            steps, cookies = site.task(0, number)
            await run_task(f"http://{app}", steps, cookies, site.floor, results, site.titles)
    return results


STEPS = [step.name for step in (*visitor_task(Job("", "", ""), floor=True),
                                *recruiter_task(Job("", "", ""), floor=True))]


# --- The figures ---------------------------------------------------------------------------

def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def figure(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} / {p95(values):6.2f} s" if values else f"{'—':>17}"


def report(sessions: str, portal: Results, floor: Results) -> None:
    for step in STEPS:
        ours, theirs = portal.times.get(step, []), floor.times.get(step, [])
        if not (ours or theirs or portal.failed[step] or floor.failed[step]):
            continue
        ratio = f"{statistics.median(ours) / statistics.median(theirs):6.1f}x" if ours and theirs \
            else f"{'—':>7}"
        failed = portal.failed[step] + floor.failed[step]
        print(f"  {sessions:>9}  {step:<20} {figure(ours)}   {figure(theirs)}   {ratio}"
              f"   {len(ours):>4}  {failed or '':>4}")
    for reason, times in (portal.reasons + floor.reasons).most_common(5):
        print(f"        failed {times}x: {reason}")


def prepare() -> tuple[list[Job], Job, list[dict[str, str]], frozenset[str]]:
    """The demo data; jobs that a word of their title finds on the board; a posting; and
    session cookies of the demo recruiter (sessions.open_session, as /auth/session makes them)."""
    import sqlalchemy as sa

    from portal import db, embedded
    from services import demo
    from services.people import sessions, sign_in
    from services.postings import listings

    os.environ["DATABASE_URL"] = embedded.start(DATA_DIR)
    db.ensure_ready()
    demo.load_demo()
    with db.engine().connect() as conn:
        rows = conn.execute(sa.text(
            "select id, title, status from public.jobs order by title")).all()
    jobs = []
    for row in rows:
        if row.status != "published":
            continue
        word = max(re.findall(r"\w+", row.title), key=len)
        found = listings.board(word).jobs.rows
        if any(job.id == row.id for job in found):
            jobs.append(Job(str(row.id), row.title, word, frozenset(job.title for job in found)))
    posting = next((Job(str(row.id), row.title, "") for row in rows if row.status != "published"),
                   Job(str(rows[0].id), rows[0].title, ""))
    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    cookies = [{sessions.COOKIE: sessions.open_session(sessions.hand_off(recruiter))} for _ in range(10)]
    return jobs, posting, cookies, frozenset(row.title for row in rows if row.status == "published")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25, 50])
    parser.add_argument("--tasks", type=int, default=40, help="tasks per run, about")
    parser.add_argument("--rounds", type=int, default=None, help="tasks per session, whatever N")
    parser.add_argument("--processes", type=int, nargs="+", default=None,
                        help="app processes behind HAProxy (default: 1 and as many as cores)")
    args = parser.parse_args()
    if HAPROXY is None:
        sys.exit("needs Debian's haproxy (apt-get install haproxy)")
    cores = os.cpu_count() or 1
    counts = args.processes or sorted({1, cores})

    from tests.browser.helpers import wait_for_health

    floor_dir = DATA_DIR / "floor"
    floor_dir.mkdir()
    floor_script = write_floor(floor_dir)
    processes = []
    try:
        jobs, posting, cookies, titles = prepare()
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": "benchmark"}
        portal_apps, floor_apps = [], []
        for _ in range(max(counts)):
            for apps, script, cwd in ((portal_apps, "streamlit_app.py", ROOT),
                                      (floor_apps, floor_script, floor_dir)):
                process, address = start_app(env, script, cwd)
                processes.append(process)
                apps.append(address)
        for address in portal_apps + floor_apps:
            wait_for_health(f"http://{address}")
        listed = sorted(len(job.found) for job in jobs)
        print(f"{cores} cores; demo data: {len(titles)} published jobs, searched by a word of the title of"
              f" {len(jobs)} (a search lists {listed[0]}–{listed[-1]} of them). N sessions at once × the"
              " tasks each does, one task in five a recruiter's; p50 / p95 per step, the portal beside"
              " the floor, and how many steps were timed and failed")
        runs: dict[tuple[str, int, int], Run] = {}

        def rounds(sessions: int) -> int:
            return args.rounds or min(10, max(1, math.ceil(args.tasks / sessions)))

        for count in counts:
            sites = {}
            for name, apps in (("portal", portal_apps[:count]), ("floor", floor_apps[:count])):
                haproxy, url = start_proxy(apps, DATA_DIR)
                processes.append(haproxy)
                wait_for_health(url)
                sites[name] = Site(url, name == "floor", jobs, posting, cookies, titles)
                warmed = asyncio.run(warm_up(sites[name], apps))
                if warmed.failed:
                    print(f"  warm-up of the {name} failed: {dict(warmed.reasons)}", file=sys.stderr)
            print(f"\n{count} app process{'es' if count > 1 else ''} behind HAProxy"
                  f"\n  {'N × tasks':>9}  {'step':<20} {'portal p50 / p95':>17}   {'floor p50 / p95':>17}"
                  f"   {'p50÷':>7}   {'done':>4}  {'fail':>4}")
            for sessions in args.sessions:
                measured = {}
                for name, site in sites.items():
                    run = asyncio.run(load(site, sessions, rounds(sessions)))
                    measured[name] = run.results
                    runs[name, count, sessions] = run
                report(f"{sessions}×{rounds(sessions)}", measured["portal"], measured["floor"])
        columns = [(name, count) for name in ("portal", "floor") for count in counts]
        print("\nthroughput: timed steps per second over each run (and the client's CPU, % of one core)")
        print(f"  {'N':>4}  " + "  ".join(f"{name} ×{count}".rjust(16) for name, count in columns))
        for sessions in args.sessions:
            print(f"  {sessions:>4}  " + "  ".join(runs[name, count, sessions].cell()
                                                for name, count in columns))
        if len(counts) > 1:
            most = counts[-1]
            for name in ("portal", "floor"):
                print(f"  {name}, {most} processes ÷ 1: " + ", ".join(
                    f"{runs[name, most, n].throughput() / runs[name, 1, n].throughput():.2f}× at N = {n}"
                    for n in args.sessions))
    finally:
        stop(processes)
        from portal import db, embedded

        db.forget_engine()
        embedded.stop(DATA_DIR)
        shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
