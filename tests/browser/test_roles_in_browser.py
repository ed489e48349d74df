"""Signed in as the demo recruiter and as an alumnus, each sees their own menu only;
a visitor who opens a recruiter page's URL is asked to sign in first."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.public_address import public_url
from services.people import accounts
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in


def test_visitor_sees_public_menu_and_a_recruiter_link_asks_to_sign_in(demo_db, fresh_app_url, page: Page):
    # A fresh server: its first request is the one Streamlit's old pages/ mode would
    # have answered with the page itself.
    page.goto(f"{fresh_app_url}/overview")
    expect(page).to_have_url(f"{fresh_app_url}/sign-in?next=%2Foverview")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Recruiting overview")).to_have_count(0)
    nav = sidebar_nav(page)
    expect(nav).to_contain_text("Open jobs")
    expect(nav).to_contain_text("Sign in")
    expect(nav).not_to_contain_text("Overview")
    page.keyboard.press("Escape")  # close Streamlit's "Page not found" notice, if it showed one
    nav.get_by_text("Open jobs").click()
    expect(page.get_by_role("heading", name="Senior Backend Engineer (Python)")).to_be_visible()
    screenshot(page, "visitor-jobs")


def test_recruiter_menu(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    nav = sidebar_nav(page)
    for title in ("Open jobs", "Overview", "Job postings", "Referrals", "My account"):
        expect(nav).to_contain_text(title)
    expect(nav).not_to_contain_text("My referrals")
    expect(nav).not_to_contain_text("Users")
    settle(page)
    nav.get_by_text("Overview").click()
    expect(page.get_by_role("heading", name="Recruiting overview")).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-overview")

    # A figure leads to the list it counts: the one posting in review, with the filter shown.
    page.get_by_role("link", name="Postings in review").click()
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
    expect(page).to_have_url(f"{app_url}/postings?status=In+review")
    expect(page.get_by_test_id("stMultiSelect").get_by_text("In review")).to_be_visible()
    expect(page.get_by_text("1–1 of 1")).to_be_visible()


def test_alumnus_menu(demo_db, app_url, page: Page):
    sign_in(page, app_url, "priya@example.com")
    nav = sidebar_nav(page)
    expect(nav).to_contain_text("My referrals")
    for title in ("Overview", "Job postings", "Users"):
        expect(nav).not_to_contain_text(title)
    settle(page)
    nav.get_by_text("My referrals").click()
    expect(page.get_by_role("heading", name="My referrals")).to_be_visible()
    expect(page.get_by_role("link", name="Open: timeline, bonus, messages").first).to_be_visible()
    screenshot(page, "alumnus-referrals")
    page.goto(f"{app_url}/overview")  # a new browser session: signed out, no recruiter page
    expect(page.get_by_role("heading", name="Work at Northwind Analytics")).to_be_visible()
    expect(page.get_by_text("Recruiting overview")).to_have_count(0)


def test_sign_out(demo_db, app_url, page: Page):
    sign_in(page, app_url, "admin@example.com")
    expect(sidebar_nav(page)).to_contain_text("Users")
    settle(page)
    page.get_by_role("button", name="Sign out").first.click()
    expect(sidebar_nav(page)).to_contain_text("Sign in")
    expect(sidebar_nav(page)).not_to_contain_text("Users")


def test_first_run_loads_demo_with_one_click(clean_db, app_url, page: Page):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Welcome to Boomerang")).to_be_visible()
    expect(page.get_by_role("button", name="Load demo data")).to_be_visible()
    expect(page.get_by_text("boomerang-demo").first).to_be_visible()
    screenshot(page, "first-run")
    settle(page)
    page.get_by_role("button", name="Load demo data").click()
    expect(page.get_by_role("heading", name="Work at Northwind Analytics")).to_be_visible()
    expect(sidebar_nav(page)).to_contain_text("Sign in")


def test_an_admin_makes_links_lead_to_the_address_in_use(demo_db, app_url, page: Page):
    """Without PORTAL_PUBLIC_URL, the warning offers the address the admin is using."""
    sign_in(page, app_url, "admin@example.com")
    try:
        use_here = page.get_by_role("button", name=f"Use {app_url} for links")
        expect(use_here).to_be_visible()
        settle(page)
        screenshot(page, "admin-links-lead-elsewhere")
        use_here.click()
        expect(page.get_by_text(f"Links the portal sends and shares now lead to {app_url}.")).to_be_visible()
        expect(page.get_by_text("Links the portal sends and shares point at")).to_have_count(0)
        settle(page)
        screenshot(page, "admin-links-lead-here")
        assert public_url() == app_url  # what emails, posts and the worker use from now on
    finally:
        with demo_db.begin() as conn:
            conn.execute(sa.text("update public.portal_settings set public_url = null where id = 1"))


def test_admin_users_page(demo_db, app_url, page: Page):
    # A name as a stranger might type it at sign-up: it must stay text.
    admin = signed_in("admin@example.com")
    accounts.add_user(admin, "eve@example.com", "Eve [win](https://evil.example) www.evil.example",
                      "candidate")
    sign_in(page, app_url, "admin@example.com")
    # The test server runs on another port than PORTAL_PUBLIC_URL's default: links would be dead.
    expect(page.get_by_text("Links the portal sends and shares point at http://localhost:8501")).to_be_visible()
    sidebar_nav(page).get_by_text("Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_text("recruiter@example.com")).to_be_visible()
    expect(page.get_by_text("www.evil.example")).to_be_visible()
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    screenshot(page, "admin-users")
