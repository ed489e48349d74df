"""An alumna leaves the leaderboard from My account in Chromium, and My referrals says so."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def test_leaving_the_leaderboard_from_my_account(demo_db, app_url, page: Page):
    sign_in(page, app_url, "priya@example.com")
    sidebar_nav(page).get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    toggle = page.get_by_role("switch", name="Show me on the leaderboard")
    expect(toggle).to_be_checked()
    page.get_by_text("Show me on the leaderboard").click()
    expect(page.get_by_text("You are off the leaderboard")).to_be_visible()
    expect(toggle).not_to_be_checked()
    settle(page)
    screenshot(page, "alumnus-my-account-leaderboard")

    sidebar_nav(page).get_by_role("link", name="My referrals").click()
    expect(page.get_by_text("Change this on the Leaderboard or on My account")).to_be_visible()
    settle(page)
    screenshot(page, "alumnus-my-referrals-leaderboard")
