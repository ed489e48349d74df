"""A visitor's way through the candidates' side in Chromium: a job page opened from a
tracked link, applying with a real PDF résumé, following the application by its private
link; the Q&A page suggesting answered questions while the question is typed; and the
recruiters' inbox."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fpdf import FPDF
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, type_choice, upload

BACKEND = "Senior Backend Engineer (Python)"


def test_apply_from_a_tracked_link_and_follow_it(demo_db, app_url, page: Page, tmp_path):
    with demo_db.connect() as conn:
        job_id = conn.execute(sa.text("select id from public.jobs where title = :t"),
                              {"t": BACKEND}).scalar_one()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Ada Lovelace - Analytical engines, 1843")
    resume = tmp_path / "ada-lovelace.pdf"
    pdf.output(str(resume))

    page.goto(f"{app_url}/job?id={job_id}&utm_source=linkedin&utm_campaign=autumn")
    expect(page.get_by_role("heading", name=BACKEND)).to_be_visible()
    settle(page)
    screenshot(page, "visitor-job-page")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.org")
    upload(page, resume)
    page.get_by_text("I have read the privacy notice").click()
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("your application has been received")).to_be_visible()
    settle(page)
    screenshot(page, "visitor-applied")
    link = page.locator("code").filter(has_text="/follow?application=").inner_text().strip()

    with demo_db.connect() as conn:
        row = conn.execute(sa.text(
            "select a.source, a.utm_campaign, a.resume_name from public.applications a"
            " join public.candidates c on c.id = a.candidate_id where c.email = 'ada@example.org'")).one()
    assert tuple(row) == ("linkedin", "autumn", "ada-lovelace.pdf")

    page.goto(app_url + "/follow?" + link.split("?", 1)[1])
    expect(page.get_by_text("Received")).to_be_visible()
    settle(page)
    screenshot(page, "visitor-follows-application")


def test_questions_suggested_as_the_question_is_written(demo_db, app_url, page: Page):
    page.goto(f"{app_url}/questions")
    expect(page.get_by_role("heading", name="Questions & answers")).to_be_visible()
    box = page.get_by_placeholder(re.compile("Can I work remotely"))
    box.press_sequentially("Is there help with relocation to London", delay=20)
    # a pause in writing refreshes the suggestions, the cursor still in the box
    suggested = page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_text("Already answered — is your question one of these?")).last
    expect(suggested.get_by_text("Is there a relocation package for London?")).to_be_visible()
    expect(box).to_be_focused()
    settle(page)
    screenshot(page, "visitor-question-suggestions")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_text("your question has been received")).to_be_visible()
    settle(page)
    screenshot(page, "visitor-asked")


def test_recruiter_inbox(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Questions inbox").click()
    expect(page.get_by_role("heading", name="Questions inbox")).to_be_visible()
    waiting = page.get_by_test_id("stMetric").filter(has_text="Waiting").get_by_test_id("stMetricValue")
    expect(waiting).to_have_text("7")  # the demo's pending questions
    settle(page)
    screenshot(page, "recruiter-inbox")
    # The oldest first: choose its row (the table is drawn on a canvas) and answer it in public.
    grid = page.get_by_test_id("stDataFrame")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection cell
    expect(page.get_by_test_id("stText").filter(has_text="Can I apply to two roles at once?")).to_be_visible()
    page.get_by_role("textbox", name="Answer").fill("Yes: apply to each, and say which you prefer.")
    type_choice(page, "Topic in the FAQ", "Applying")
    settle(page)
    page.get_by_role("button", name="Publish to FAQ").click()
    expect(waiting).to_have_text("6")
    with demo_db.connect() as conn:
        stored = conn.execute(sa.text("select status::text, answer, topic from public.questions"
                                      " where body = 'Can I apply to two roles at once?'")).one()
    assert tuple(stored) == ("published", "Yes: apply to each, and say which you prefer.", "Applying")
