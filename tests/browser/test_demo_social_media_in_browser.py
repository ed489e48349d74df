"""The demo's social media as a recruiter and an admin find it: the posting calendar with its
scheduled posts waiting to be shared, and the post waiting for approval."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def test_demo_calendar_and_approvals(demo_db, app_url, page: Page):
    page.set_viewport_size({"width": 1500, "height": 1600})
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_text("Posting calendar").click()
    expect(page.get_by_role("heading", name="Posting calendar")).to_be_visible()
    settle(page)
    # The demo's three scheduled posts are on channels without a webhook: shared by hand.
    expect(page.get_by_role("button", name="Mark published")).to_have_count(3)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "demo-post-calendar-week")
    page.get_by_text("Month", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "demo-post-calendar-month")

    sign_in(page, app_url, "admin@example.com")  # the demo's approver
    settle(page)
    sidebar_nav(page).get_by_text("Post approvals").click()
    expect(page.get_by_role("heading", name="Post approvals")).to_be_visible()
    settle(page)
    expect(page.get_by_role("button", name="Approve")).to_have_count(1)
    screenshot(page, "demo-post-approvals")
