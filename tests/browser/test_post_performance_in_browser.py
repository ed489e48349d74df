"""The Post performance page as a recruiter uses it: the demo's channels and posts, spend
recorded on a post (a refusal first, nothing typed lost), and the Excel export."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in


def test_post_performance_page(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Post performance").click()
    expect(page.get_by_role("heading", name="Post performance", exact=True)).to_be_visible()
    expect(page.get_by_text("What each channel's posts brought").first).to_be_visible()
    expect(page.get_by_role("heading", name="By post, best first")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-post-performance")

    form = page.get_by_test_id("stForm")
    post = form.get_by_test_id("stSelectbox").locator("input")
    post.click()
    post.press("ArrowDown")  # opens the list
    page.get_by_role("option").first.click()
    form.get_by_label("Amount").fill("80")
    form.get_by_label("Currency").fill("JPY")
    form.get_by_label("Note (optional)").fill("Boosted for the weekend")
    form.get_by_role("button", name="Record spend").click()
    expect(page.get_by_text("There is no exchange rate for JPY")).to_be_visible()
    expect(form.get_by_label("Note (optional)")).to_have_value("Boosted for the weekend")
    form.get_by_label("Currency").fill("EUR")
    form.get_by_role("button", name="Record spend").click()
    expect(page.get_by_text("Recorded EUR 80 on")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-post-performance-spend")

    with page.expect_download() as download:
        page.get_by_role("button", name="Excel workbook (both tables)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert open(download.value.path(), "rb").read(2) == b"PK"
