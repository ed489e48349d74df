"""A page's rerun at scale, beside an empty page's rerun in the same AppTest run.

Fills a throwaway embedded Postgres with the demo data, then 10,000 more open jobs and
100,000 questions (70 % published; as benchmarks/candidates.py writes them). Then, in
AppTest, opens each main page once and times its reruns (a click elsewhere on the page,
a widget that changes nothing the page reads):

- the public job board (pages/public/jobs.py), a visitor;
- a job's page (pages/public/job.py), a visitor;
- Questions & answers (pages/public/faq.py), a visitor; and after typing a question
  (each run a new text: the similar-question lookup runs);
- the recruiters' overview (pages/recruiting/overview.py), a recruiter signed in by a
  session cookie (each rerun checks the account and the session);

each beside a one-line app's rerun (`st.write('hello')`) timed in the same run, median
and p95 over `--runs` reruns (at least 15). With `--profile`, prints where each page's
rerun spends its time (cProfile, the costliest functions by own time and by total).

    .venv/bin/python benchmarks/reruns.py [--jobs 10000] [--questions 100000] [--runs 30] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import use_throwaway_database

use_throwaway_database("reruns")
os.environ.pop("SMTP_HOST", None)

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from benchmarks.candidates import fill, lookups
from benchmarks.timing import keep_compiled_scripts, pages_folder_read_once
from portal.db import ensure_ready, owner_transaction
from services import demo
from services.people import sessions, sign_in

APP = str(ROOT / "app_script.py")


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18]


def profile(label: str, at: AppTest, runs: int, before=None, top: int = 16) -> None:
    """Where `runs` reruns of `at` spend their time: the script runs in a thread of its own,
    so the profiler is switched on inside it."""
    from streamlit.runtime.scriptrunner import script_runner

    at.run()
    profiler = cProfile.Profile()
    original = script_runner.ScriptRunner._run_script

    def profiled(self, rerun_data):
        profiler.enable()
        try:
            return original(self, rerun_data)
        finally:
            profiler.disable()

    script_runner.ScriptRunner._run_script = profiled
    try:
        for i in range(runs):
            if before:
                before(i)
            at.run()
    finally:
        script_runner.ScriptRunner._run_script = original
    for order, title in (("cumulative", "by total time"), ("tottime", "by own time")):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"\n=== {label}: {runs} reruns, {title} (seconds are totals over the runs) ===")
        site = sys.prefix + "/lib/python3.11/site-packages/"
        print("\n".join(line.replace(str(ROOT) + "/", "").replace(site, "") for line in lines[start:]))


def opened(page: str, state: dict | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    return at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    runs = max(args.runs, 15)
    keep_compiled_scripts()
    pages_folder_read_once()

    ensure_ready()
    started = time.perf_counter()
    demo.load_demo()
    fill(args.jobs, args.questions)
    with ensure_ready().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("vacuum analyze")  # as autovacuum would after so many inserts
    with owner_transaction() as conn:
        job_id = conn.execute(sa.text(
            "select id from public.jobs where status = 'published'"
            " order by published_at desc limit 1")).scalar_one()
    print(f"filled the demo data, {args.jobs:,} open jobs and {args.questions:,} questions in "
          f"{time.perf_counter() - started:.0f} s")

    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    token = sessions.open_session(sessions.hand_off(recruiter))
    texts = lookups(runs + 1)

    def typing(at):
        box = [a for a in at.text_input if a.label == "Your question"][0]  # a live text input
        return lambda i: box.input(texts[i])

    faq_typed = None

    def pages():
        nonlocal faq_typed
        faq_typed = opened("pages/public/faq.py")
        return [
            ("empty page (one-line app)",
             AppTest.from_string("import streamlit as st\nst.write('hello')"), None),
            ("job board, visitor", opened("pages/public/jobs.py"), None),
            ("a job's page, visitor", opened("pages/public/job.py", id=str(job_id)), None),
            ("Q&A, visitor", opened("pages/public/faq.py"), None),
            ("Q&A after typing, visitor", faq_typed, typing(faq_typed)),
            ("recruiting overview, recruiter (cookie session)",
             opened("pages/recruiting/overview.py", {"actor": recruiter, "session-token": token}), None),
        ]

    if args.profile:
        for label, at, before in pages()[1:]:
            profile(label, at, runs, before)
        return

    print(f"\nAppTest reruns, median and p95 over {runs} reruns each, beside an empty page's rerun;"
          " the pages take turns, so a busy machine slows them all alike")
    opened_pages = pages()
    results = [(label, []) for label, _, _ in opened_pages]
    for _, at, _ in opened_pages:
        at.run()  # warm
    for i in range(runs):
        for (label, at, before), (_, times) in zip(opened_pages, results, strict=True):
            if before:
                before(i)
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            assert not at.exception, (label, at.exception)
    floor = statistics.median(results[0][1])
    for label, times in results:
        median = statistics.median(times)
        print(f"  {label:<50} median {median * 1000:7.1f} ms   p95 {p95(times) * 1000:7.1f} ms"
              f"   ({median / floor:.1f}x the empty page)")


if __name__ == "__main__":
    main()
