"""Staff pages at 1400×900 in Chromium on the demo data (issue 18): no label, button, chosen
value, multiselect option, metric or tab is cut short (helpers.CLIPPED) on the referral
board (its stage pickers), Job postings (its status multiselect), the Questions inbox, My
referrals and Post performance. Each is screenshotted (tests/browser/screenshots/unclipped-*.png)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import CLIPPED, screenshot, settle, sidebar_nav, sign_in


def _unclipped(page: Page, name: str) -> None:
    settle(page)
    screenshot(page, f"unclipped-{name}")
    assert page.evaluate(CLIPPED) == [], name


def test_staff_pages_show_their_words_whole(demo_db, app_url, page: Page):
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, app_url, "recruiter@example.com")
    nav = sidebar_nav(page)

    nav.get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()
    expect(page.get_by_text("more in the table").first).to_be_visible()
    expect(page.get_by_role("group", name="Referred to")).to_be_visible()  # date inputs load last
    _unclipped(page, "referral-board")

    nav.get_by_role("link", name="Job postings").click()
    expect(page.get_by_role("heading", name="Job postings")).to_be_visible()
    _unclipped(page, "job-postings")

    nav.get_by_role("link", name="Questions inbox").click()
    expect(page.get_by_role("heading", name="Questions inbox")).to_be_visible()
    expect(page.get_by_text("Held for review only")).to_be_visible()
    _unclipped(page, "inbox")

    nav.get_by_role("link", name="Post performance").click()
    expect(page.get_by_role("heading", name="Post performance")).to_be_visible()
    _unclipped(page, "post-performance")

    sign_in(page, app_url, "priya@example.com")
    expect(page.get_by_role("heading", name="My referrals")).to_be_visible()
    _unclipped(page, "my-referrals")
