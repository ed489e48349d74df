"""An alumna refers someone in Chromium with a PDF résumé, is shown the privacy notice to
forward (no SMTP here), and sees her personal referral links with copy buttons."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, upload
from tests.support import make_pdf


def test_alumna_refers_someone_and_sees_her_links(demo_db, app_url, page: Page, tmp_path):
    resume = tmp_path / "grace-hopper.pdf"
    resume.write_bytes(make_pdf("Grace Hopper - compilers"))
    sign_in(page, app_url, "priya@example.com")
    settle(page)  # a click while the app reruns after signing in is lost
    sidebar_nav(page).get_by_text("Refer someone").click()
    expect(page.get_by_role("heading", name="Refer someone")).to_be_visible()
    expect(page.locator("code").filter(has_text="/?ref=")).to_be_visible()
    page.get_by_label("Their full name").fill("Grace Hopper")
    page.get_by_label("Their email").fill("grace@example.org")
    page.get_by_label("How you know them").fill("We built the first compiler together.")
    page.get_by_label("Why they fit").fill("She explains hard things simply and ships.")
    upload(page, resume)
    settle(page)
    screenshot(page, "alumnus-refer-form")
    page.get_by_role("button", name="Send referral").click()
    summary = page.get_by_test_id("stAlertContentError")  # the refusal also shows under its field
    expect(summary.get_by_text("confirm that the candidate agreed")).to_be_visible()  # nothing lost:
    expect(page.get_by_label("Their full name")).to_have_value("Grace Hopper")
    page.get_by_text("They agreed to be referred").click()
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text("Your referral has been received")).to_be_visible()
    expect(page.locator("code").filter(has_text="Dear Grace Hopper")).to_be_visible()
    settle(page)
    screenshot(page, "alumnus-referred")
    with demo_db.connect() as conn:
        row = conn.execute(sa.text(
            "select r.outcome, r.resume_name from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id where c.email = 'grace@example.org'")).one()
    # It counts for Priya once Grace confirms (no SMTP here: a recruiter confirms for her).
    assert tuple(row) == ("pending", "grace-hopper.pdf")
    expect(page.get_by_text("counts for you once Grace Hopper confirms")).to_be_visible()
