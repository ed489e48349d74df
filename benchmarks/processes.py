"""Page loads through HAProxy with one app process and with two (issue 19).

One embedded Postgres with the demo data, two `streamlit run` processes, and HAProxy
configured by `portal proxy-config` in front of the first process only, then of both. N
visitors (separate Chromium contexts, each with its own stickiness cookie, driven at the
same time) each load the job board and then a job's page ROUNDS times; a load is timed from
the navigation until the page's heading shows and the script has finished its run. Prints
p50 / p95 per step and page loads per second, for 1 and 2 processes, from the same run.

    .venv/bin/python benchmarks/processes.py [--visitors 8] [--rounds 5]

Needs Debian's chromium and haproxy. On a 2-core machine Chromium itself takes much of the
CPU, so the gain from a second process is less than it would be with the browsers elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA_DIR = Path(tempfile.mkdtemp(prefix="boomerang-bench-"))
os.environ["PORTAL_DATA_DIR"] = str(DATA_DIR)
os.environ["PORTAL_SECRETS_FILE"] = str(DATA_DIR / "no-secrets.toml")
os.environ.pop("DATABASE_URL", None)

from benchmarks.serving import HAPROXY, start_app, start_proxy  # noqa: E402 - after the data dir
from portal import embedded  # noqa: E402
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, wait_for_health  # noqa: E402

SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


from playwright.async_api import Error as PlaywrightError  # noqa: E402


async def visitor(browser, url: str, job_id: str, rounds: int, times: dict[str, list[float]]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(60_000)
    try:
        for _ in range(rounds):
            for step, path, heading in (("job board", "/", re.compile("^(Work at |Open jobs)")),
                                        ("a job's page", f"/job?id={job_id}", "About the role")):
                started = time.perf_counter()
                try:
                    await page.goto(url + path)
                    await page.get_by_role("heading", name=heading).first.wait_for()
                    await page.wait_for_selector(SETTLED, state="attached")
                except PlaywrightError as error:  # counted and shown, not timed
                    shot = DATA_DIR.parent / f"boomerang-processes-failed-{time.time_ns()}.png"
                    await page.screenshot(path=shot)
                    print(f"  {step} failed ({type(error).__name__}); screenshot {shot}", file=sys.stderr)
                    times["failed"].append(time.perf_counter() - started)
                    continue
                times[step].append(time.perf_counter() - started)
    finally:
        await context.close()


async def load(url: str, apps: list[str], job_id: str, visitors: int,
               rounds: int) -> tuple[dict[str, list[float]], float]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {"job board": [], "a job's page": [], "failed": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for app in apps:  # each process's first runs (imports, compiling the pages) are not timed
            await visitor(browser, f"http://{app}", job_id, 1, {step: [] for step in times})
        started = time.perf_counter()
        await asyncio.gather(*(visitor(browser, url, job_id, rounds, times) for _ in range(visitors)))
        elapsed = time.perf_counter() - started
        await browser.close()
    return times, elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if HAPROXY is None or not Path(CHROMIUM).exists():
        sys.exit("needs Debian's haproxy and chromium (apt-get install haproxy chromium)")

    os.environ["DATABASE_URL"] = embedded.start(DATA_DIR)
    from portal import db
    from services import demo

    db.ensure_ready()
    demo.load_demo()
    import sqlalchemy as sa

    with db.engine().connect() as conn:
        job_id = str(conn.execute(sa.text(
            "select id from public.jobs where status = 'published' order by title limit 1")).scalar_one())

    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": "benchmark"}
    processes = []
    try:
        apps = []
        for _ in range(2):
            process, address = start_app(env)
            processes.append(process)
            apps.append(address)
        for address in apps:
            wait_for_health(f"http://{address}")
        print(f"{args.visitors} visitors at once, {args.rounds} rounds of (job board, a job's page) each;"
              f" {os.cpu_count()} cores")
        figures = {}
        for count in (1, 2):
            haproxy, url = start_proxy(apps[:count], DATA_DIR)
            try:
                wait_for_health(url)
                times, elapsed = asyncio.run(load(url, apps[:count], job_id, args.visitors, args.rounds))
            finally:
                haproxy.terminate()
                haproxy.wait(timeout=10)
            loads = sum(len(v) for step, v in times.items() if step != "failed")
            figures[count] = loads / elapsed
            print(f"\n{count} app process{'es' if count > 1 else ''} behind HAProxy:")
            for step, values in times.items():
                if not values:
                    continue
                print(f"  {step:<14} p50 {statistics.median(values):6.2f} s   p95 {p95(values):6.2f} s"
                      f"   ({len(values)} loads)")
            print(f"  throughput     {figures[count]:.2f} page loads/s ({loads} in {elapsed:.1f} s)")
        print(f"\n2 processes ÷ 1 process, throughput: {figures[2] / figures[1]:.2f}x")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        from portal import db as portal_db

        portal_db.forget_engine()
        embedded.stop(DATA_DIR)
        shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
