"""The referral programme's pages in Chromium: the figures with their chart and CSV, and an
alumnus leaving the leaderboard."""

from __future__ import annotations

import csv

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def test_programme_figures_and_leaderboard(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Referral programme").click()
    expect(page.get_by_role("heading", name="Referral programme", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Time to hire")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-referral-programme")
    with page.expect_download() as download:
        page.get_by_role("button", name="By department as CSV").click()
    assert download.value.suggested_filename.startswith("referral-programme-by-department")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert header[:2] == ["Department", "Referrals"]

    sidebar_nav(page).get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard", exact=True)).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-leaderboard")

    sidebar_nav(page).get_by_role("link", name="Alumni outreach").click()
    expect(page.get_by_role("heading", name="Alumni outreach", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send digest").click()
    summary = page.get_by_test_id("stAlertContentError")  # the problem shows there and under its field
    expect(summary.get_by_text("Choose at least one department")).to_be_visible()
    page.get_by_test_id("stMultiSelect").click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("heading", name="Preview:")).to_be_visible()
    page.get_by_role("button", name="Send digest").click()
    expect(page.get_by_text("not emailed (email is not set up)")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-alumni-outreach")


def test_an_admin_sets_the_ownership_period(demo_db, app_url, page: Page):
    sign_in(page, app_url, "admin@example.com")
    sidebar_nav(page).get_by_role("link", name="Referral programme").click()
    expect(page.get_by_role("heading", name="Ownership period")).to_be_visible()
    months = page.get_by_label("Months a referrer owns a candidate", exact=True)
    months.fill("9")
    page.get_by_role("button", name="Save ownership period").click()
    expect(page.get_by_text("Referrers now own a candidate for 9 months.")).to_be_visible()
    expect(page.get_by_text("belongs to their first referrer for 9 months")).to_be_visible()
    page.get_by_role("heading", name="Ownership period").scroll_into_view_if_needed()
    settle(page)
    screenshot(page, "admin-ownership-period")
