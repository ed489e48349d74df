"""Helpers for the browser tests (and the benchmarks). Importing this starts nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def wait_for_health(base_url: str, timeout: float = 60) -> float:
    """Seconds until /_stcore/health answers ok."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{base_url} did not become healthy in {timeout} s")


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, log_name: str = "streamlit-server",
                     port: int | None = None):
    """`streamlit run streamlit_app.py` on `port` (else a free one); yields its base URL. The
    server's output goes to server_log(log_name)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    port = port or free_port()
    with server_log(log_name).open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base_url)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=20)


def server_log(log_name: str) -> Path:
    """tests/browser/screenshots/<log_name>[-<xdist worker>].log: one file per test worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return SCREENSHOTS / f"{log_name}{'-' + worker if worker else ''}.log"


def server_logs() -> list[Path]:
    """The logs of this test process's servers."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return [log for log in SCREENSHOTS.glob("*.log")
            if (worker and log.stem.endswith(f"-{worker}")) or (not worker and "-gw" not in log.stem)]


# Text cut short where it is shown: a link's, a label's, a button's, a chosen value's, a
# multiselect's chosen options (an element that hides what overflows it, holding more than
# it shows). Returns each cut element's text.
CLIPPED = """() => {
    const shown = ["stPageLink", "stWidgetLabel", "stButton", "stFormSubmitButton", "stSelectbox",
                   "stMultiSelect", "stMetric", "stTab"]
        .map((id) => `[data-testid="${id}"]`).join(", ");
    const cut = (element) => element.scrollWidth > element.clientWidth + 1
        && (element.tagName === "INPUT" || getComputedStyle(element).overflowX !== "visible");
    return [...document.querySelectorAll(shown)]
        .filter((root) => root.offsetParent !== null)
        .filter((root) => cut(root) || [...root.querySelectorAll("*")].some(cut))
        .map((root) => root.innerText.trim() || root.querySelector("input")?.value);
}"""


def sidebar_nav(page):
    return page.get_by_test_id("stSidebarNav")


def sign_in(page, app_url: str, email: str) -> None:
    """Sign in as the demo account `email` and wait for the landing page of their role."""
    from playwright.sync_api import expect

    from services.demo import DEMO_PASSWORD

    page.context.clear_cookies()  # whoever was signed in on this browser before is not any more
    page.goto(f"{app_url}/sign-in")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signing in goes through the route that sets the session cookie, and lands by role: a
    # menu click before that is over is undone by it.
    expect(page).to_have_url(re.compile(re.escape(app_url) + "/(overview|my-referrals|my-applications)$"))
    expect(page.get_by_text("Signed in as")).to_be_visible()
    settle(page)


def settle(page) -> None:
    """Wait until the app has finished its current run: a click during a rerun is lost."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached")


def type_choice(page, label: str, value: str) -> None:
    """Type `value` into the choice labelled `label` (ui.known_choice) and take it, whether it
    is one of the values offered or a new one."""
    page.get_by_role("combobox", name=label, exact=True).fill(value)
    page.keyboard.press("Enter")


def upload(page, path: Path) -> None:
    """Choose a file in the page's uploader and wait until the server has it: a form sent
    while the upload is still running arrives without the file."""
    with page.expect_response(lambda response: "/_stcore/upload_file" in response.url
                              and response.request.method == "PUT"):
        page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name=f"Remove {path.name}").wait_for()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
