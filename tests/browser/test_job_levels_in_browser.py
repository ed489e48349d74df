"""Bonus rules per job level in Chromium: the payouts page lists the level rules beside the
department rules, and says which rule gives each hired referral's bonus."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from services.referrals import pipeline as referral_pipeline
from services.referrals import rewards as referral_rewards
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
    # The senior rule saved above is there to delete: the only level with a rule.
    expect(page.get_by_role("combobox", name="Delete the rule of")).to_have_value("Senior")
    settle(page)
    screenshot(page, "recruiter-level-bonus-rules")

    # A rule for the Lead level, through the form.
    form = page.get_by_test_id("stForm").filter(has_text="Save level rule")
    level = form.get_by_test_id("stSelectbox").locator("input")
    level.click()
    page.get_by_role("option", name="Lead").click()
    form.get_by_label("Bonus for the level").fill("3000")
    form.get_by_label("Paid after (days from start)").fill("100")
    form.get_by_role("button", name="Save level rule").click()
    # (shown as plain text: ui.plain puts a word joiner after "Saved:")
    expect(page.get_by_text("Lead jobs earn 3,000.00, paid 100 days after the start.")).to_be_visible()
    with demo_db.connect() as conn:
        rules = conn.execute(sa.text("select level, amount, retention_days"
                                     " from public.referral_level_bonus_rules order by level")).all()
    assert [tuple(r) for r in rules] == [("lead", 3000, 100), ("senior", 2000, 120)]

    # Each hired referral with the bonus it would earn: the form names them to record a start.
    hired = referral_pipeline.search(recruiter, stage="hired", page_size=200).rows
    first = " · ".join((hired[0].candidate_name, hired[0].job_title or "Open to anything",
                        hired[0].referrer_name))
    page.get_by_text("Record a start date or a leaver").click()
    expect(page.get_by_role("combobox", name="Hired referral")).to_have_value(first)
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).scroll_into_view_if_needed()
    settle(page)
    screenshot(page, "recruiter-level-bonus-of-hired-referrals")
