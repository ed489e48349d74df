"""A real `streamlit run`, driven by Debian's Chromium through Playwright.

Skipped when Chromium is absent, unless PORTAL_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, server_logs, settle, streamlit_server


@pytest.fixture(scope="session")
def app_url(browser):
    with streamlit_server() as base_url:
        # One visit to "/" first: a server's very first run still goes through Streamlit's
        # old pages/ mode, which calls any deep link "Page not found" (see pages/README.md).
        warm_up = browser.new_page()
        warm_up.goto(base_url)
        settle(warm_up)
        warm_up.close()
        yield base_url


@pytest.fixture
def fresh_app_url():
    """A server of its own, so that the test's request is the first it ever gets."""
    with streamlit_server(log_name="streamlit-fresh-server") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (PORTAL_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


# What the app logs when a page fails: the portal's "Something went wrong" box, or an
# exception that reached Streamlit.
_FAILURES = ("unexpected error on a page", "Uncaught app exception")


@pytest.fixture(autouse=True)
def no_error_in_the_server_logs():
    """A page that failed in any server during the test fails the test, whatever it saw."""
    before = {log: log.stat().st_size for log in server_logs()}
    yield
    for log in server_logs():
        start = before.get(log, 0)
        if log.stat().st_size < start:
            start = 0  # the server was started again and its log begun afresh
        with log.open(errors="replace") as text:
            text.seek(start)
            written = text.read()
        if any(failure in written for failure in _FAILURES):
            pytest.fail(f"a page failed during the test; {log.name} says:\n{written[-4000:]}")
