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


# --- phones (issue 18) ---------------------------------------------------------------

PHONE = {"width": 390, "height": 844}

# Wider than the screen: the document, or any element of the page that scrolls sideways
# (Streamlit's main area scrolls on its own), or the text of a widget cut at its right edge.
# A table (stDataFrame) scrolls inside itself: what it holds past its edge, and its overlay,
# are its own, but a table wider than the screen is not. So does a row of tabs (with an arrow
# to the tabs past the edge, as phones' tab bars do).
_SIDEWAYS = """() => {
    const wide = [];
    const overflows = (element) => {
        const right = element.getBoundingClientRect().right + 1;
        return [...element.querySelectorAll("*")].some((child) =>
            child.getBoundingClientRect().right > right
            && !child.parentElement.closest('[data-testid="stDataFrame"], [role="tablist"]'));
    };
    if (document.documentElement.scrollWidth > window.innerWidth) wide.push("document");
    const areas = ["stMain", "stAppViewContainer", "stVerticalBlock", "stHorizontalBlock"]
        .map((id) => `[data-testid="${id}"]`).join(", ");
    for (const element of document.querySelectorAll(areas)) {
        if (element.closest('[data-testid="stSidebar"][data-collapsed="true"]')) continue;  // shut
        // named by the block and the start of its text, to find it on the screenshot
        const id = `${element.dataset.testid} "${element.innerText.trim().slice(0, 40)}"`;
        if (element.scrollWidth > element.clientWidth + 1 && overflows(element)) wide.push(id);
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > window.innerWidth + 1) wide.push(id + " past the edge");
    }
    return wide;
}"""


def phone_screen(page, name: str) -> None:
    """Screenshots of what the phone shows first (phone-<name>.png) and of the whole page
    (phone-<name>-whole.png: Streamlit's main area scrolls on its own, so a "full page"
    screenshot is one screen; the screen is made as tall as the page for it); neither
    scrolls sideways."""
    settle(page)
    screenshot(page, f"phone-{name}")
    sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    wide, cut = page.evaluate(_SIDEWAYS), page.evaluate(CLIPPED)
    height = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
    page.set_viewport_size({"width": PHONE["width"], "height": max(PHONE["height"], height)})
    try:  # the whole page is screenshotted before any failure, to be looked at
        settle(page)
        screenshot(page, f"phone-{name}-whole")
        wide_whole = page.evaluate(_SIDEWAYS)
    finally:
        page.set_viewport_size(PHONE)
    assert not sideways, name
    assert wide == [], f"{name}: wider than the phone: {wide}"
    assert cut == [], f"{name}: cut short: {cut}"
    assert wide_whole == [], f"{name}, the whole page: wider than the phone: {wide_whole}"
