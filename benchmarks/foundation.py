"""Foundation figures: cold start, first database start, landing page run.

Each figure is printed beside its floor from the same run:
- `streamlit run` to health ok, beside `python -c "import streamlit"`;
- the landing page's AppTest run, beside an AppTest of a one-line app.
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

DATA_DIR = Path(tempfile.mkdtemp(prefix="boomerang-bench-"))
os.environ["PORTAL_DATA_DIR"] = str(DATA_DIR)
os.environ.pop("DATABASE_URL", None)

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


def cold_start() -> tuple[float, float, float | None]:
    """`streamlit run` on a fresh data folder: seconds to /_stcore/health, the floor
    (importing streamlit), and seconds until a browser shows the first screen (which
    includes initdb and the migrations), when Chromium is there to ask."""
    floor = timed(lambda: subprocess.run([sys.executable, "-c", "import streamlit"], check=True))
    port = free_port()
    env = {**os.environ, "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="boomerang-cold-")}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.headless", "true"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base_url = f"http://127.0.0.1:{port}"
        serving(base_url)
        health = time.perf_counter() - started
        return health, floor, _first_screen(base_url)
    finally:
        process.terminate()
        process.wait()


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

    from portal import db
    from services import demo

    health, import_floor, first_screen = cold_start()
    first_db = timed(db.ensure_ready)
    demo_load = timed(demo.load_demo)

    def landing() -> None:
        at = AppTest.from_file(str(ROOT / "app_script.py"), default_timeout=60).run()
        assert not at.exception and "Work at Northwind Analytics" in at.title[0].value

    def one_line() -> None:
        AppTest.from_string("import streamlit as st\nst.write('hello')").run()

    landing()  # warm imports once, as a running server would be
    landing_runs = [timed(landing) for _ in range(5)]
    floor_runs = [timed(one_line) for _ in range(5)]
    landing_ms, floor_ms = statistics.median(landing_runs) * 1000, statistics.median(floor_runs) * 1000

    print(f"cold start, streamlit run → /_stcore/health ok: {health:6.2f} s"
          f"   (floor: import streamlit {import_floor:.2f} s, ratio {health / import_floor:.1f}×)")
    if first_screen is not None:
        print(f"cold start, browser opens / → first screen:      {first_screen:6.2f} s"
              "   (includes initdb and migrations)")
    print(f"first embedded Postgres start + migrations:     {first_db:6.2f} s")
    print(f"demo data load:                                  {demo_load:6.2f} s")
    print(f"AppTest run of the landing page (demo data):     {landing_ms:6.0f} ms median of 5"
          f"   (floor: one-line app {floor_ms:.0f} ms, ratio {landing_ms / floor_ms:.1f}×)")
    db.forget_engine()  # the embedded server stops when this process exits


if __name__ == "__main__":
    main()
