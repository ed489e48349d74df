"""The referral pipeline in Chromium: the recruiters' board, the payouts page and its
payroll CSV, and an alumna's timeline with her notification."""

from __future__ import annotations

import csv

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from services.referrals import pipeline as referral_pipeline
from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in
from tests.support import signed_in


def test_referral_pipeline(demo_db, app_url, page: Page):
    recruiter = signed_in("recruiter@example.com")
    priyas = referral_pipeline.search(recruiter, referrer_id=signed_in("priya@example.com").user_id).rows
    moved = next(r for r in priyas if r.stage != "offer")
    referral_pipeline.move(recruiter, moved.id, "offer")

    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()
    expect(page.get_by_text("more in the table").first).to_be_visible()  # a capped column says so
    settle(page)
    expect(page.get_by_role("group", name="Referred to")).to_be_visible()  # date inputs load last
    screenshot(page, "recruiter-referral-board")

    sidebar_nav(page).get_by_role("link", name="Referral payouts").click()
    expect(page.get_by_role("heading", name="Referral payouts", exact=True)).to_be_visible()
    settle(page)  # a download button clicked mid-run may point at a file the run replaces
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV for payroll").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert header[:2] == ["Referrer", "Referrer email"]
    settle(page)
    screenshot(page, "recruiter-referral-payouts")

    page.context.clear_cookies()
    page2 = page.context.new_page()
    sign_in(page2, app_url, "priya@example.com")
    sidebar_nav(page2).get_by_role("link", name="My referrals").click()
    expect(page2.get_by_text("Notifications (1 unread)")).to_be_visible()
    expect(page2.get_by_text(f"{moved.candidate_name}").first).to_be_visible()
    settle(page2)
    screenshot(page2, "alumna-my-referrals-timeline")


def test_not_selected_on_the_board_asks_why_and_rejects_the_application(demo_db, app_url, page: Page):
    """A referral for a job is its candidate's application: Rejected (the company's name for a
    referral not selected) on its card opens a dialog asking why, and sending it rejects the
    application (issue 16)."""
    with demo_db.connect() as conn:
        card = conn.execute(sa.text(
            "select r.id, c.full_name from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id"
            " where r.stage = 'interviewing' and r.application_id is not null"
            " order by r.stage_changed_at desc, r.id limit 1")).one()
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()
    settle(page)
    page.locator(f".st-key-move-{card.id}").get_by_role("button").click()
    page.get_by_text("Rejected", exact=True).last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(card.full_name)).to_be_visible()
    settle(page)
    dialog.get_by_role("button", name="Move to Rejected").click()  # no reason yet
    expect(dialog.get_by_text("Choose why they are not selected.").first).to_be_visible()
    dialog.get_by_role("combobox", name="Why they are not selected").click()
    page.get_by_role("option", name="Skills or experience do not match").click()
    dialog.get_by_role("button", name="Move to Rejected").click()
    expect(page.get_by_text("Moved to Rejected: their application was rejected")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    settle(page)
    screenshot(page, "recruiter-referral-not-selected")
    with demo_db.connect() as conn:
        moved = conn.execute(sa.text(
            "select r.stage::text, a.status::text from public.referrals r"
            " join public.applications a on a.id = r.application_id where r.id = :r"), {"r": card.id}).one()
    assert tuple(moved) == ("not_selected", "rejected")
