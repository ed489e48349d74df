"""A recruiter writes a posting in Chromium and submits it, an admin approves it (its author
may not), the recruiter publishes it, and a visitor finds it on the public board."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, type_choice

TITLE = "Platform Engineer (Kubernetes)"


def test_recruiter_publishes_a_posting_to_the_board(demo_db, app_url, page: Page, browser):
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Job postings").click()
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
    page.get_by_role("button", name="New posting").click()
    expect(page.get_by_role("heading", name="New posting")).to_be_visible()
    page.get_by_label("Title").fill(TITLE)
    type_choice(page, "Department", "Engineering")  # one of the departments in use
    type_choice(page, "Location", "Lisbon")  # a new location, typed
    page.get_by_label("Salary from (optional)").fill("70000")
    page.get_by_label("Salary to (optional)").fill("90000")
    page.get_by_role("textbox", name="Description (Markdown)").fill(
        "## About the role\n\nYou keep our **clusters** healthy.\n\n- Kubernetes\n- Terraform")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    page.get_by_role("button", name="Submit for review", exact=True).click()
    expect(page.get_by_text("The posting is now in review.")).to_be_visible()
    # Its author is told who approves it instead of being offered the button.
    expect(page.get_by_text("You wrote and submitted this posting, so another recruiter or admin "
                            "approves it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    settle(page)
    screenshot(page, "recruiter-posting-waits-for-approval")
    posting_url = page.url

    approver = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(approver, app_url, "admin@example.com")
    approver.goto(f"{app_url}/postings")
    expect(approver.get_by_text("Waiting for approval: 2")).to_be_visible()  # the demo's and this one
    settle(approver)
    screenshot(approver, "admin-postings-waiting-for-approval")
    approver.goto(f"{app_url}/company-facts")
    expect(approver.get_by_text("Who approves a job posting")).to_be_visible()
    settle(approver)
    screenshot(approver, "admin-company-facts-approval-setting")
    approver.goto(posting_url)
    approver.get_by_role("button", name="Approve", exact=True).click()
    expect(approver.get_by_text("The posting is now approved.")).to_be_visible()
    approver.close()

    page.reload()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("The posting is now published.")).to_be_visible()
    with demo_db.connect() as conn:
        row = conn.execute(sa.text("select status::text, published_at is not null from public.jobs"
                                   " where title = :t"), {"t": TITLE}).one()
    assert tuple(row) == ("published", True)
    settle(page)
    screenshot(page, "recruiter-posting")

    visitor = browser.new_page(viewport={"width": 1400, "height": 900})
    visitor.goto(app_url)  # the board is the default page
    visitor.get_by_placeholder("Title, skill or city").fill("Kubernetes")
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_text("Senior Backend Engineer (Python)")).to_have_count(0)  # searched
    expect(visitor.get_by_text(TITLE).first).to_be_visible()
    settle(visitor)
    screenshot(visitor, "visitor-board-new-posting")
    visitor.close()
