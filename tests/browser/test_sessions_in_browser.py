"""Sign-in that lasts: the session cookie survives a reload, a new tab and a bookmark; signing
out everywhere ends it in every tab; the routes refuse what another site starts."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from playwright.sync_api import Page, expect

from services.demo import DEMO_PASSWORD
from services.people import sessions
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in


def test_signed_in_after_reload_new_tab_and_bookmark_until_signed_out_everywhere(demo_db, app_url,
                                                                                 page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    expect(page).to_have_url(f"{app_url}/overview")  # staff land on Overview
    cookie = next(c for c in page.context.cookies() if c["name"] == sessions.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"

    page.reload()
    expect(page.get_by_role("heading", name="Recruiting overview")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()

    bookmark = page.context.new_page()  # a new tab, opened on a bookmarked page
    bookmark.goto(f"{app_url}/postings")
    expect(bookmark.get_by_role("heading", name="Job postings")).to_be_visible()
    settle(bookmark)

    settle(page)
    sidebar_nav(page).get_by_text("My account").click()
    expect(page.get_by_role("heading", name="Signed-in devices")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-my-account-devices")
    page.get_by_role("button", name="Sign out everywhere").click()
    wait_until_signed_out(page)
    expect(page).to_have_url(f"{app_url}/")
    expect(sidebar_nav(page)).to_contain_text("Sign in")

    # The other tab is signed out at its next click.
    sidebar_nav(bookmark).get_by_text("Open jobs").click()
    expect(sidebar_nav(bookmark)).to_contain_text("Sign in")
    expect(bookmark.get_by_text("Signed in as")).to_have_count(0)
    page.reload()
    expect(sidebar_nav(page)).to_contain_text("Sign in")


def test_an_alumna_lands_on_her_referrals_and_signs_out_from_the_sidebar(demo_db, app_url, page: Page):
    sign_in(page, app_url, "priya@example.com")
    expect(page).to_have_url(f"{app_url}/my-referrals")
    expect(page.get_by_role("heading", name="My referrals")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    wait_until_signed_out(page)
    expect(page).to_have_url(f"{app_url}/")
    page.reload()
    expect(sidebar_nav(page)).to_contain_text("Sign in")


def wait_until_signed_out(page: Page) -> None:
    """Until the sign-out route has cleared the cookie and the page it leads to has loaded
    (the cookie is HttpOnly: only the browser context sees it)."""
    deadline = time.monotonic() + 15
    while any(c["name"] == sessions.COOKIE for c in page.context.cookies()):
        assert time.monotonic() < deadline, "the session cookie was never cleared"
        page.wait_for_timeout(100)
    page.wait_for_load_state()
    settle(page)


def _get(url: str, headers: dict[str, str]):
    """One request that does not follow redirects: (status, Location, Set-Cookie)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(urllib.request.Request(url, headers=headers))
    except urllib.error.HTTPError as error:
        response = error
    return response.status, response.headers.get("Location"), response.headers.get("Set-Cookie")


def test_the_session_route_over_http(demo_db, app_url):
    code = sessions.hand_off(signed_in("recruiter@example.com"))
    # Another site cannot sign a visitor in (into anyone's account).
    status, location, cookie = _get(f"{app_url}{sessions.SESSION_ROUTE}?code={code}&next=/overview",
                                    {"Sec-Fetch-Site": "cross-site"})
    assert (status, location, cookie) == (303, "/sign-in", None)
    status, location, cookie = _get(f"{app_url}{sessions.SESSION_ROUTE}?code={code}&next=//evil.example",
                                    {"Sec-Fetch-Site": "same-origin"})
    assert (status, location) == (303, "/")  # signed in, but never sent to another site
    assert cookie.startswith(f"{sessions.COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    # The code is spent.
    assert _get(f"{app_url}{sessions.SESSION_ROUTE}?code={code}", {})[1] == "/sign-in"
    assert _get(f"{app_url}/healthz", {})[0] == 200


def test_a_visitors_link_to_a_signed_in_page_leads_to_sign_in_and_back(demo_db, app_url, page: Page):
    page.context.clear_cookies()
    page.goto(f"{app_url}/postings")
    expect(page).to_have_url(f"{app_url}/sign-in?next=%2Fpostings")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("textbox", name="Email").fill("recruiter@example.com")
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{app_url}/postings")
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
