"""The admin adds a confidential term and tries a post that uses it: the blocking finding
shows, and the post's own markup is shown as text."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def test_admin_edits_a_term_and_tries_a_post(demo_db, app_url, page: Page):
    page.set_viewport_size({"width": 1400, "height": 1600})  # the findings in the screenshot too
    sign_in(page, app_url, "admin@example.com")
    sidebar_nav(page).get_by_text("Social media guidelines").click()
    expect(page.get_by_role("heading", name="Social media guidelines")).to_be_visible()

    terms = page.get_by_role("textbox", name="Confidential terms, one a line")
    terms.fill("Project Falcon\nContoso")
    page.get_by_role("button", name="Save guidelines").click()
    expect(page.get_by_text("Guidelines saved.")).to_be_visible()
    settle(page)
    expect(terms).to_have_value("Project Falcon\nContoso")

    page.get_by_role("textbox", name="Post text").fill(
        "Rockstar engineers wanted for #ProjectFalcon!\n<b>Apply</b> at https://northwind.com/job?id=1 "
        "or call +49 30 1234567.")
    page.get_by_role("button", name="Check the post").click()
    expect(page.get_by_text("Blocking this post: 3 findings.")).to_be_visible()
    expect(page.get_by_text("“#ProjectFalcon” is on the list of confidential terms")).to_be_visible()
    expect(page.get_by_text("Remove the phone number")).to_be_visible()
    expect(page.get_by_text("of 280 characters on X")).to_be_visible()
    # the post's "<b>" is shown as typed, not as bold
    expect(page.locator("[data-testid='stMarkdownContainer'] p", has_text="<b>Apply</b>")).to_be_visible()
    expect(page.locator("[data-testid='stMarkdownContainer'] b")).to_have_count(0)
    settle(page)
    screenshot(page, "admin-social-guidelines")
