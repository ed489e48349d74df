"""Working the pipeline in Chromium (issue 16): a recruiter rejects two applicants at once from
a posting's Applicants tab, with a reason and a message, then adds a note; the funnel and
the time in stage are on the tab."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sign_in

BACKEND = "Senior Backend Engineer (Python)"


def choose(page: Page, box, text: str) -> None:
    """Pick the option of a select box (or a multiselect) that reads `text`, by typing it."""
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=re.compile(re.escape(text))).first.click()


def test_recruiter_rejects_two_applicants_with_a_message(demo_db, app_url, page: Page):
    with demo_db.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
        newest = conn.execute(sa.text(
            "select c.full_name from public.applications a join public.candidates c on c.id = a.candidate_id"
            " where a.job_id = :j order by a.created_at desc, a.id limit 2"), {"j": job_id}).scalars().all()
    sign_in(page, app_url, "recruiter@example.com")
    page.goto(f"{app_url}/posting?id={job_id}")
    expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
    page.get_by_role("tab", name="Applicants").click()
    expect(page.get_by_text("Move applicants")).to_be_visible()
    settle(page)

    form = page.get_by_test_id("stForm").filter(has_text="Message to the candidate")
    for name in newest:
        choose(page, form.get_by_test_id("stMultiSelect").locator("input"), name)
    page.keyboard.press("Escape")
    expect(form.get_by_test_id("stMultiSelect").get_by_text(re.compile(r"\(.*@"))).to_have_count(2)
    choose(page, form.get_by_role("combobox", name="Move to"), "Rejected")
    choose(page, form.get_by_role("combobox", name="Reason (for Rejected)"), "Other (say why)")
    form.get_by_role("textbox", name="Message to the candidate (optional)").fill(
        "Thank you for your time. We chose another candidate for this role.")
    form.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Say in a few words why")).to_be_visible()  # "other" needs words
    expect(form.get_by_role("textbox", name="Message to the candidate (optional)")).to_have_value(
        "Thank you for your time. We chose another candidate for this role.")  # kept
    form.get_by_role("textbox", name="Other reason").fill("Needs more on-call experience")
    form.get_by_role("button", name="Move", exact=True).click()
    done = page.get_by_text("Moved 2 applicants to Rejected.")
    expect(done).to_be_visible()
    settle(page)
    done.scroll_into_view_if_needed()  # the notice, the funnel and the table with time in stage
    screenshot(page, "recruiter-applicants-rejected")

    with demo_db.connect() as conn:
        rejected = conn.execute(sa.text(
            "select count(*) from public.application_events e join public.applications a"
            " on a.id = e.application_id where a.job_id = :j and e.reason = 'other'"
            " and e.reason_detail = 'Needs more on-call experience'"), {"j": job_id}).scalar_one()
    assert rejected == 2

    choose(page, page.get_by_role("combobox", name="History and notes of"), newest[0])
    expect(page.get_by_text("History", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="New note").fill("Called back; open to a later role.")
    page.get_by_role("button", name="Add note").click()
    note = page.get_by_text("Called back; open to a later role.")
    expect(note).to_be_visible()
    expect(page.get_by_role("textbox", name="New note")).to_have_value("")  # ready for the next
    settle(page)
    note.scroll_into_view_if_needed()
    screenshot(page, "recruiter-applicant-history-and-notes")
