"""Foundation figures: cold start, first database start, landing page run.

Each figure is printed beside its floor from the same run:
- `streamlit run` to health ok, beside `python -c "import streamlit"`;
- the landing page's AppTest first run and its rerun, beside a one-line app's.

Each pair is timed PAIRS times (7), side by side, and the median printed with the median
of the pairs' ratios: one cold start alone said 2.5× where the median of 7 pairs says 3.0×.
AppTest first runs are mostly AppTest's own setup; the rerun is what a click costs.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.timing import use_throwaway_database

use_throwaway_database("foundation")

PAIRS = 7  # each figure and its floor, timed side by side this many times
RERUNS = 21
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium quiet and sandbox-free in a container: no updates, sync or QUIC racing the page.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving(base_url: str, timeout: float = 60) -> None:
    """Returns once the app's /_stcore/health answers ok."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} did not answer ok in {timeout} s")


def cold_start(pairs: int) -> tuple[list[float], list[float], float | None]:
    """`streamlit run` on a fresh data folder, `pairs` times, each beside its floor
    (importing streamlit) timed just before it: seconds to /_stcore/health for each, the
    floors, and seconds until a browser shows the first screen on the first start (which
    includes initdb and the migrations), when Chromium is there to ask."""
    health, floors, first_screen = [], [], None
    for n in range(pairs):
        floors.append(timed(lambda: subprocess.run([sys.executable, "-c", "import streamlit"], check=True)))
        port = free_port()
        data_dir = Path(tempfile.mkdtemp(prefix="boomerang-cold-"))
        env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir)}
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
             "--server.headless", "true"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base_url = f"http://127.0.0.1:{port}"
            serving(base_url)
            health.append(time.perf_counter() - started)
            if n == 0:
                first_screen = _first_screen(base_url)
        finally:
            process.terminate()
            process.wait()
            # The app's database outlives a terminated app (its exit handlers do not run).
            from portal import embedded

            embedded.stop(data_dir)
            shutil.rmtree(data_dir, ignore_errors=True)
    return health, floors, first_screen


def _first_screen(base_url: str) -> float | None:
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(base_url)
        expect(page.get_by_role("heading", name="Welcome to Boomerang")).to_be_visible(timeout=60_000)
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from benchmarks.timing import keep_compiled_scripts
    from portal import db
    from services import demo

    health, import_floors, first_screen = cold_start(PAIRS)
    first_db = timed(db.ensure_ready)
    demo_load = timed(demo.load_demo)

    def landing() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app_script.py"), default_timeout=60).run()
        assert not at.exception and "Work at Northwind Analytics" in at.title[0].value
        return at

    def one_line() -> AppTest:
        return AppTest.from_string("import streamlit as st\nst.write('hello')").run()

    landing()  # warm imports once, as a running server would be
    # First runs, in pairs: each includes AppTest's own setup, which is most of it.
    landing_runs, floor_runs = [], []
    for _ in range(PAIRS):
        landing_runs.append(timed(landing))
        floor_runs.append(timed(one_line))
    # Reruns of an open session: what each click costs, with scripts compiled once as a
    # server keeps them (AppTest alone compiles them again on every run).
    keep_compiled_scripts()
    open_landing, open_floor = landing(), one_line()
    landing_reruns, floor_reruns = [], []
    for _ in range(RERUNS):
        landing_reruns.append(timed(open_landing.run))
        floor_reruns.append(timed(open_floor.run))

    def pairs_line(label: str, sides: list[float], floors: list[float], unit: str, floor_label: str) -> str:
        scale = 1000 if unit == "ms" else 1
        side, floor = statistics.median(sides) * scale, statistics.median(floors) * scale
        ratio = statistics.median(a / b for a, b in zip(sides, floors, strict=True))
        return (f"{label:<48} {side:7.2f} {unit} median of {len(sides)}   (floor: {floor_label} "
                f"{floor:.2f} {unit}; median of the pairs' ratios {ratio:.1f}×)")

    print(pairs_line("cold start, streamlit run → /_stcore/health ok:", health, import_floors, "s",
                     "import streamlit"))
    if first_screen is not None:
        print(f"cold start, browser opens / → first screen:      {first_screen:6.2f} s"
              "   (first start only; includes initdb and migrations)")
    print(f"first embedded Postgres start + migrations:     {first_db:6.2f} s")
    print(f"demo data load:                                  {demo_load:6.2f} s")
    print(pairs_line("AppTest first run of the landing page (demo):", landing_runs, floor_runs, "ms",
                     "one-line app"))
    print(pairs_line("AppTest rerun of the landing page (demo):", landing_reruns, floor_reruns, "ms",
                     "one-line app"))
    db.forget_engine()  # the embedded server stops when this process exits


if __name__ == "__main__":
    main()
