"""The Savings page as a recruiter uses it: headline figures, charts, the what-if, and
the PDF report downloaded through the browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import screenshot, settle, sidebar_nav, sign_in, upload


def test_savings_page(demo_db, app_url, page: Page):
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Savings").click()
    expect(page.get_by_role("heading", name="Savings", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Saving vs headhunter")).to_contain_text("USD")
    expect(page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-savings")

    page.get_by_role("tab", name="By month").click()
    expect(page.get_by_text("Cumulative savings against running costs").first).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-savings-by-month")

    page.get_by_role("tab", name="What if").click()
    expect(page.get_by_text("Share of hires made by referral")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-savings-what-if")

    with page.expect_download() as download:
        page.get_by_role("button", name="One-page PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"


def test_hires_page_import_reports_bad_rows(demo_db, app_url, page: Page, tmp_path):
    file = tmp_path / "hires.csv"
    file.write_text("hire_date,job_title,department,source,first_year_salary\n"
                    "2026-01-10,Data Engineer,Data Science,referral,90000\n"
                    "2026-01-11,Data Engineer,Data Science,recruiter,90000\n")
    sign_in(page, app_url, "recruiter@example.com")
    sidebar_nav(page).get_by_role("link", name="Hires").click()
    expect(page.get_by_role("heading", name="Hires", exact=True)).to_be_visible()
    page.get_by_text("Import hires from a CSV file").click()
    upload(page, file)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Added 1 hire.")).to_be_visible()
    expect(page.get_by_text("Left out 1 row.")).to_be_visible()
    settle(page)
    screenshot(page, "recruiter-hires-import")
