"""The reports people take to meetings (issue 18): Excel cells hold numbers in number
formats, never numbers as text; every element of the cost-per-hire chart is labelled; the
PDF prints any name (Noto Sans and Noto Sans CJK, embedded)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pandas as pd
import pypdf

from portal.spreadsheets import COUNT, DAY, DECIMAL, money, xlsx_bytes
from services.savings import export
from services.savings.charts import cost_per_hire_chart
from services.savings.report import Assumptions, build_report

NAMES = "Zoë Łukasiewicz 王芳"
# What a number written as text looks like: "USD 2,149", "109", "12.5%".
NUMBER_AS_TEXT = re.compile(r"^(?:[A-Z]{3} )?-?[\d,]+(?:\.\d+)?%?$")


def report():
    groups = pd.DataFrame([
        {"month": date(2026, m, 1), "source": source, "channel": "", "department": "Engineering",
         "currency": currency, "hires": hires, "salary": 80000.0 * hires, "referral_bonus": 1000.0,
         "ad_spend": 0.0, "job_board_fee": 0.0, "agency_fee": 0.0, "other_cost": 149.0}
        for m, source, currency, hires in ((1, "referral", "USD", 1), (2, "social", "USD", 2),
                                            (3, "agency", "EUR", 1), (3, "direct", "GBP", 1))])
    costs = pd.DataFrame({"month": [date(2026, 1, 1)], "currency": ["USD"], "amount": [500.0]})
    assumptions = Assumptions(currency="USD", fee_rate=0.2, job_board_cost_per_hire=4700.0,
                              rates={"EUR": 1.08})
    return build_report(groups, costs, assumptions, date(2026, 1, 1), date(2026, 3, 31))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_savings_workbook_holds_numbers_in_number_formats():
    book = workbook(export.to_xlsx(report()))
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    hires = summary["Hires"]
    assert (hires.value, hires.data_type, hires.number_format) == (4, "n", COUNT)
    cost = summary["Actual cost per hire"]
    assert cost.data_type == "n" and cost.number_format == '"USD "#,##0'
    assert summary["ROI"].data_type == "n" and summary["ROI"].number_format == "0%"
    assert summary["Headhunter fee rate"].value == 0.2
    assert summary["Headhunter fee rate"].number_format == "0.0%"
    assert summary["Payback month"].value == datetime(2026, 1, 1)
    assert summary["Payback month"].number_format == "mmm yyyy"
    assert summary["Rate used for EUR (1 EUR in USD)"].value == 1.08
    assert summary["Left out: hires in GBP (no rate)"].value == 1
    assert summary["Reporting currency"].value == "USD"
    by_month = book["By month"]
    assert [c.value for c in by_month[1]][:2] == ["Month", "Hires"]
    assert by_month["A2"].number_format == "mmm yyyy" and by_month["B2"].number_format == COUNT
    assert by_month["C2"].number_format == '"USD "#,##0' and by_month["C2"].data_type == "n"
    for sheet in book:
        text_numbers = [c.coordinate for row in sheet.iter_rows(min_row=2) for c in row
                        if isinstance(c.value, str) and NUMBER_AS_TEXT.match(c.value)]
        assert not text_numbers, (sheet.title, text_numbers)


def test_the_headline_figures_in_words_are_the_workbooks_numbers():
    figures = dict(export.headline_figures(report()))
    assert figures["Hires"] == "4"
    assert figures["Payback month"] == "Jan 2026"
    assert figures["Running costs"] == "USD 500"


def test_workbook_columns_get_a_format_by_kind():
    table = pd.DataFrame({"Name": ["=1+1", "Ada"], "Count": [1200, 3], "Share": [0.5, 0.25],
                          "Amount": [Decimal("2149.50"), None], "Day": [date(2026, 3, 1), None],
                          "Cost": [2149.4, float("nan")]})
    sheet = workbook(xlsx_bytes({"T": table}, {"T": {"Share": "0%", "Cost": money("EUR")}}))["T"]
    row = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, 7)}
    assert row["Name"].value == "=1+1" and row["Name"].data_type == "s"  # never a formula
    assert (row["Count"].value, row["Count"].number_format) == (1200, COUNT)
    assert row["Share"].number_format == "0%"
    assert (row["Amount"].value, row["Amount"].number_format) == (2149.5, DECIMAL)
    assert (row["Day"].value, row["Day"].number_format) == (datetime(2026, 3, 1), DAY)
    assert row["Cost"].number_format == '"EUR "#,##0'
    assert sheet.cell(3, 6).value is None  # no number: an empty cell


def test_every_element_of_the_cost_per_hire_chart_is_labelled():
    spec = cost_per_hire_chart(report()).to_dict()
    bars, rule = spec["layer"]
    assert bars["encoding"]["x"]["title"] == "USD per hire"
    assert rule["mark"]["type"] == "rule"
    legend_labels = rule["encoding"]["color"]["scale"]["domain"]
    assert legend_labels == ["Job-board baseline: USD 4,700 per hire"]
    assert rule["encoding"]["color"]["legend"] is not None
    assert rule["encoding"]["strokeDash"]["scale"]["domain"] == legend_labels  # one legend entry


def test_the_pdf_prints_any_name():
    data = export.to_pdf(report(), company=NAMES)
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    first_line = page.extract_text().splitlines()[0]
    assert "Zoë Łukasiewicz" in first_line and "?" not in first_line
    # pypdf reads a NUL before each glyph of the CJK font (poppler's pdftotext reads "王芳")
    assert "王芳" in re.sub(r"[\s\x00]", "", first_line)
    fonts = {font.get_object()["/BaseFont"]: font.get_object()
             for font in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("+NotoSans") for name in fonts)
    assert any("NotoSansCJK" in name for name in fonts)
    for font in fonts.values():  # embedded (a subset), so any reader shows the same letters
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert {"/FontFile2", "/FontFile3"} & set(descriptor)


def test_a_pdf_without_cjk_names_leaves_the_cjk_font_out():
    page = pypdf.PdfReader(io.BytesIO(export.to_pdf(report(), company="Zoë Łukasiewicz"))).pages[0]
    assert page.extract_text().splitlines()[0] == "Zoë Łukasiewicz: hiring savings"
    fonts = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]
    assert len(fonts) == 1 and fonts[0].endswith("+NotoSans")
