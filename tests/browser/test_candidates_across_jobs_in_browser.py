"""Candidates across jobs in Chromium (issue 16): a recruiter opens Candidates from the menu,
filters the table by stage and searches it, chooses a row and opens that person's profile,
which gathers their applications, history and timeline."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def choose(page: Page, box, text: str) -> None:
    """Pick the option of a select box that reads `text`, by typing it."""
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=re.compile(re.escape(text))).first.click()


def test_recruiter_filters_candidates_and_opens_a_profile(demo_db, app_url, page: Page):
    with demo_db.connect() as conn:
        # someone hired in the demo, and how they are written
        name, email = conn.execute(sa.text(
            "select c.full_name, c.email from public.applications a"
            " join public.candidates c on c.id = a.candidate_id where a.status = 'hired'"
            " order by a.created_at desc, a.id limit 1")).one()
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Candidates").click()
    expect(page.get_by_role("heading", name="Candidates")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-candidates")
    page.get_by_text("Add a candidate by hand").click()
    expect(page.get_by_role("button", name="Add candidate")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-candidates-add-by-hand")
    page.get_by_text("Add a candidate by hand").click()  # closed again

    choose(page, page.get_by_role("combobox", name="Stage"), "Hired")
    settle(page)
    expect(page).to_have_url(re.compile(r"stage=Hired"))  # the filter is in the URL, in words
    page.get_by_role("textbox", name="Search").fill(email.split("@")[0])
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_text(re.compile(r"^1–1 of 1$"))).to_be_visible()
    screenshot(page, "recruiter-candidates-filtered")

    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_have_count(1)  # the table of the run before has gone
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection cell
    # (the address as text: an invisible word joiner after "@" keeps it from becoming a mailto link)
    profile = page.get_by_role("link", name=re.compile(re.escape(f"{name} ({email.split('@')[0]}@")))
    expect(profile).to_be_visible()
    expect(page.get_by_text("Move the 1 chosen application")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-candidates-chosen")
    # a refused move says so under its field and keeps the search, the filter and the choice
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Choose the stage to move them to.").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Search")).to_have_value(email.split("@")[0])
    expect(page.get_by_text(re.compile(r"^1–1 of 1$"))).to_be_visible()
    expect(profile).to_be_visible()
    profile.click()

    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/candidate\?id="))
    expect(page.get_by_role("tab", name=re.compile(r"Applications \(\d+\)"))).to_be_visible()
    expect(page.get_by_text("History", exact=True).first).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-candidate-profile")
    page.get_by_role("tab", name="Timeline").click()
    expect(page.get_by_text("Newest first: stage moves")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-candidate-timeline")
