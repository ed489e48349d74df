"""Bonus rules per job level in Chromium: the payouts page lists the level rules beside the
department rules, and says which rule gives each hired referral's bonus."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from services import referral_rewards
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in


def test_level_rules_on_the_payouts_page(demo_db, app_url, page: Page):
    recruiter = signed_in("recruiter@example.com")
    referral_rewards.save_level_rule(recruiter, "senior", 2000, 120)
    referral_rewards.save_rule(recruiter, "Engineering", 1800, 90)

    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Referral payouts").click()
    expect(page.get_by_role("heading", name="Referral payouts", exact=True)).to_be_visible()
    page.get_by_text("Bonus rules").click()
    expect(page.get_by_role("heading", name="By job level")).to_be_visible()
    expect(page.get_by_role("button", name="Save level rule")).to_be_visible()
    expect(page.get_by_text("Paid after (days)").first).to_be_attached()
    settle(page)
    page.wait_for_timeout(500)  # the tables draw on a canvas after the run
    screenshot(page, "recruiter-level-bonus-rules")
    page.get_by_text("Record a start date or a leaver").click()
    page.get_by_role("button", name="Save", exact=True).scroll_into_view_if_needed()
    settle(page)
    page.wait_for_timeout(500)
    screenshot(page, "recruiter-level-bonus-of-hired-referrals")
