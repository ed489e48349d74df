"""From a click to a settled page, in Chromium, on the demo data (issue 18: every step ≤ 1 s).

One embedded Postgres with the demo data, one `streamlit run` of the portal, and beside it a
one-line two-page Streamlit app served the same way (the floor: what a click costs in
Streamlit itself). For each role, one browser goes round its main pages by clicking the
sidebar through every page of its menu, and takes its main actions (a visitor opens a job,
applies and goes back to the board; a recruiter moves a referral on the board and opens a
posting; an alumna opens a referral and sends one). A click is timed until what it leads to
is shown (a page's heading, an action's confirmation) and the script has finished its run.
Prints the median and p95 of each step over ROUNDS rounds, beside the floor's.

    .venv/bin/python benchmarks/clicks.py [--rounds 7]

Needs Debian's chromium. The browser runs on the same machine and takes its share of the CPU.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA_DIR = Path(tempfile.mkdtemp(prefix="boomerang-clicks-"))
os.environ["PORTAL_DATA_DIR"] = str(DATA_DIR)
os.environ["PORTAL_SECRETS_FILE"] = str(DATA_DIR / "no-secrets.toml")
os.environ.pop("DATABASE_URL", None)

from portal import embedded  # noqa: E402 - after pointing the portal at its own data
from tests.browser.helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    settle,
    sidebar_nav,
    sign_in,
    streamlit_server,
    wait_for_health,
)
from tests.support import free_port  # noqa: E402

FLOOR_APP = '''import streamlit as st
def first(): st.title("First page")
def second(): st.title("Second page")
st.navigation([st.Page(first, title="First"), st.Page(second, title="Second")]).run()
'''

# Who goes round which pages: (step name, link to click in the sidebar, heading it leads to).
# Every page of each role's menu, in menu order.
def _steps(role: str, pages: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(f"{role}: {link}", link, heading) for link, heading in pages]


STAFF_PAGES = [
    ("Overview", "Recruiting overview"), ("Job postings", "Job postings"), ("Candidates", "Candidates"),
    ("Questions inbox", "Questions inbox"), ("Referrals", "Referrals"),
    ("Referral payouts", "Referral payouts"), ("Referral programme", "Referral programme"),
    ("Alumni outreach", "Alumni outreach"), ("Leaderboard", "Leaderboard"),
    ("Post approvals", "Post approvals"), ("Posting calendar", "Posting calendar"),
    ("Post performance", "Post performance"), ("Post topics", "Post topics"), ("Savings", "Savings"),
    ("Hires", "Hires"), ("Running costs & assumptions", "Running costs & assumptions"),
    ("My account", "My account"),
]
ROUNDS_BY_ROLE: dict[str, list[tuple[str, str, str]]] = {
    "recruiter@example.com": _steps("recruiter", STAFF_PAGES),
    "admin@example.com": _steps("admin", [
        ("Users", "Users"), ("Alumni roster", "Alumni roster"), ("Company facts", "Company facts"),
        ("Hiring stages", "Hiring stages"), ("Social media guidelines", "Social media guidelines"),
        ("Social channels", "Social channels"), ("Privacy & data", "Privacy & data")]),
    "priya@example.com": _steps("alumna", [
        ("Open jobs", "Work at"), ("Questions & answers", "Questions & answers"),
        ("My referrals", "My referrals"), ("Refer someone", "Refer someone"),
        ("Leaderboard", "Leaderboard"), ("Job digests", "Job digests"), ("My account", "My account")]),
}


def timed(page, click, heading: str | re.Pattern) -> float:
    return timed_until(page, click, page.get_by_role("heading", name=heading).first)


def timed_until(page, click, shown) -> float:
    """Seconds from `click` until `shown` is on the page and the script's run is over."""
    started = time.perf_counter()
    click()
    shown.wait_for()
    settle(page)
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def report(name: str, values: list[float], floor: float | None) -> None:
    ratio = f"   {statistics.median(values) / floor:5.1f}× the floor" if floor else ""
    print(f"  {name:<32} p50 {statistics.median(values):5.2f} s   p95 {p95(values):5.2f} s{ratio}")


def floor_clicks(browser, rounds: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="boomerang-floor-"))
    (folder / "floor.py").write_text(FLOOR_APP)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(folder / "floor.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(url)
        page.get_by_role("heading", name="First page").wait_for()
        settle(page)
        times = []
        for _ in range(rounds + 1):
            for title, heading in (("Second", "Second page"), ("First", "First page")):
                link = sidebar_nav(page).get_by_role("link", name=title)
                times.append(timed(page, link.click, heading))
        return times[2:]  # the first round warms the pages up
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def portal_clicks(browser, app_url: str, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    # A visitor opens a job from the board, applies and goes back to the board: a new tab
    # (a new Streamlit session) each round, since a session that applied to a job sees its
    # confirmation there; the browser's cache is kept, as for the other roles' rounds.
    visitor = browser.new_context(viewport={"width": 1400, "height": 900})
    for n in range(rounds + 1):
        page = visitor.new_page()
        page.goto(app_url)
        page.get_by_role("heading", name=re.compile("^Work at")).wait_for()
        settle(page)
        job_link = page.get_by_role("link", name="View and apply").first
        opened = timed(page, job_link.click, "About the role")
        applied = apply(page, n)
        back_link = page.get_by_role("link", name="All open jobs")
        back = timed(page, back_link.click, re.compile("^Work at"))
        page.close()
        if n:  # the first round warms the pages up
            times.setdefault("visitor: open a job", []).append(opened)
            times.setdefault("visitor: send an application", []).append(applied)
            times.setdefault("visitor: back to the board", []).append(back)
    visitor.close()
    for email, steps in ROUNDS_BY_ROLE.items():
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        sign_in(page, app_url, email)
        for n in range(rounds + 1):
            for name, link, heading in steps:
                took = timed(page, _menu_link(page, link).click, re.compile(f"^{re.escape(heading)}"))
                if n:
                    times.setdefault(name, []).append(took)
            for name, took in ACTIONS.get(email, lambda _page: [])(page):
                if n:
                    times.setdefault(name, []).append(took)
        page.context.close()
    return times


def _menu_link(page, title: str):
    return sidebar_nav(page).get_by_role("link", name=title, exact=True)


def recruiter_actions(page) -> list[tuple[str, float]]:
    """Move a referral on the board to another stage (the first card's Move menu, its first
    choice), then open the first posting waiting for approval from Job postings."""
    timed(page, _menu_link(page, "Referrals").click, re.compile("^Referrals"))
    page.get_by_role("button", name=re.compile("Move$")).first.click()
    option = page.get_by_role("menuitem").first
    moved = timed_until(page, option.click, page.get_by_text(re.compile("^Moved to")).first)
    timed(page, _menu_link(page, "Job postings").click, re.compile("^Job postings"))
    waiting = page.get_by_test_id("stVerticalBlock").filter(has_text="Waiting for approval")
    posting = waiting.get_by_test_id("stPageLink").first
    opened = timed_until(page, posting.click, page.get_by_role("tab", name="Applicants"))
    return [("recruiter: move a referral", moved), ("recruiter: open a posting", opened)]


def apply(page, n: int) -> float:
    """Send the job's application form (name, email, the privacy notice read)."""
    page.get_by_label("Full name").fill(f"Clicks Candidate {n}")
    page.get_by_label("Email").fill(f"clicks-{n}-{time.time_ns()}@example.org")
    page.get_by_text("I have read the privacy notice").click()
    send = page.get_by_role("button", name="Send application")
    return timed_until(page, send.click, page.get_by_text("your application has been received"))


def alumna_actions(page) -> list[tuple[str, float]]:
    """Open a referral's own page from My referrals; send a referral from Refer someone."""
    timed(page, _menu_link(page, "My referrals").click, re.compile("^My referrals"))
    link = page.get_by_role("link", name="Open: timeline, bonus, messages").first
    opened = timed_until(page, link.click, page.get_by_role("heading", name="Messages", exact=True))
    timed(page, _menu_link(page, "Refer someone").click, re.compile("^Refer someone"))
    again = page.get_by_role("button", name="Refer someone else")  # the last round's referral
    if again.count():
        timed_until(page, again.click, page.get_by_label("Their full name"))
    page.get_by_label("Their full name").fill("Clicks Referral")
    page.get_by_label("Their email").fill(f"clicks-referral-{time.time_ns()}@example.org")
    page.get_by_label("How you know them").fill("We worked together for three years.")
    page.get_by_label("Why they fit").fill("Calm under pressure and ships on time.")
    page.get_by_text("They agreed to be referred").click()
    send = page.get_by_role("button", name="Send referral")
    sent = timed_until(page, send.click, page.get_by_text("Your referral has been received"))
    return [("alumna: open a referral", opened), ("alumna: send a referral", sent)]


ACTIONS = {"recruiter@example.com": recruiter_actions, "priya@example.com": alumna_actions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DATABASE_URL"] = embedded.start(DATA_DIR)
    try:
        from portal import db
        from services import demo

        db.ensure_ready()
        demo.load_demo()
        with sync_playwright() as playwright, streamlit_server(log_name="benchmark-clicks") as app_url:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            browser.new_page().goto(app_url)  # the server's first run compiles the pages
            floor = floor_clicks(browser, args.rounds)
            portal = portal_clicks(browser, app_url, args.rounds)
            browser.close()
        print(f"From a click to a settled page, {args.rounds} rounds, Chromium 1400×900, "
              f"{os.cpu_count()} cores; goal ≤ 1 s")
        report("floor: one-line app, page switch", floor, None)
        for name, values in portal.items():
            report(name, values, statistics.median(floor))
    finally:
        from portal import db as portal_db

        portal_db.forget_engine()
        embedded.stop(DATA_DIR)
        shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
