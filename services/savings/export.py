"""The savings report as files: CSV, Excel and a one-page PDF for a leadership meeting."""

from __future__ import annotations

import io
from datetime import date

import cvttf_NotoSansCJK_Regular
import fontpkg
import pandas as pd
import vl_convert
from fpdf import FPDF
from fpdf.enums import TextMode

from portal.spreadsheets import COUNT, MONTH, PERCENT, PERCENT_1, RATE, csv_bytes, xlsx_bytes
from portal.spreadsheets import money as money_format
from services.savings.charts import cost_per_hire_chart, cumulative_savings_chart
from services.savings.report import AMOUNT_COLUMNS, Assumptions, SavingsReport, source_label


def money(amount: float | None, currency: str) -> str:
    return "—" if amount is None else f"{currency} {amount:,.0f}"


def model_in_words(assumptions: Assumptions) -> list[tuple[str, str]]:
    """The model as (term, definition) with this portal's figures, for the page and the files."""
    baseline = money(assumptions.job_board_cost_per_hire, assumptions.currency)
    return [
        ("Actual cost of a hire",
         "referral bonus + ad spend + job-board fee + agency fee + other costs"),
        ("Saving against a headhunter",
         f"fee rate ({assumptions.fee_rate:.1%}) × first-year salary − actual cost, for every hire "
         "not made through an agency (an agency hire saves nothing)"),
        ("Saving against job boards",
         f"the job-board baseline cost per hire ({baseline}) − actual cost, for hires through "
         "referrals, social media, direct applications and internal moves"),
        ("ROI", "(savings against a headhunter − running costs) ÷ running costs"),
        ("Payback month",
         "the first month in which the cumulative savings against a headhunter pass the "
         "cumulative running costs"),
    ]


def conversions(report: SavingsReport) -> list[str]:
    """The exchange rates the report used, as "1 EUR = 1.08 USD"."""
    currency = report.assumptions.currency
    return [f"1 {c} = {rate:g} {currency}" for c, rate in report.rates_used.items() if c != currency]


def headline_values(report: SavingsReport) -> list[tuple[str, object, str]]:
    """The period's headline figures as (label, value, kind): kind "count", "money" (in the
    reporting currency), "ratio" (ROI, 1.0 = 100 %), "month" (a date) or "text"; None where
    there is no figure."""
    totals = report.totals
    if report.payback_month is not None:
        payback: tuple[object, str] = (report.payback_month, "month")
    else:
        payback = ("no running costs" if not totals.running_costs else "not yet", "text")
    return [
        ("Hires", totals.hires, "count"),
        ("Actual cost per hire", totals.cost_per_hire, "money"),
        ("Saving vs headhunter", totals.saving_vs_headhunter, "money"),
        ("Saving vs job boards", totals.saving_vs_job_boards, "money"),
        ("Running costs", totals.running_costs, "money"),
        ("ROI", totals.roi, "ratio"),
        ("Payback month", *payback),
    ]


def headline_figures(report: SavingsReport) -> list[tuple[str, str]]:
    """The period's headline figures as (label, value in words), in the order the page shows them."""
    currency = report.assumptions.currency

    def text(value: object, kind: str) -> str:
        if value is None:
            return "—"
        return {"count": lambda: f"{value:,.0f}", "money": lambda: money(value, currency),
                "ratio": lambda: f"{value:.0%}", "month": lambda: value.strftime("%b %Y"),
                "text": lambda: str(value)}[kind]()

    return [(label, text(value, kind)) for label, value, kind in headline_values(report)]


def file_name(report: SavingsReport, extension: str) -> str:
    return f"savings-{report.start.isoformat()}-to-{report.end.isoformat()}.{extension}"


def render(report: SavingsReport, file_format: str, company: str = "") -> bytes:
    return {"csv": to_csv, "xlsx": to_xlsx, "pdf": lambda r: to_pdf(r, company)}[file_format](report)


def to_csv(report: SavingsReport) -> bytes:
    """Hires summed by month, source, channel and department, in the reporting currency:
    the finest grain, from which every table of the report adds up."""
    return csv_bytes(detail_table(report))


def detail_table(report: SavingsReport) -> pd.DataFrame:
    columns = ["month", "source", "channel", "department", "hires", *AMOUNT_COLUMNS,
               "actual_cost", "saving_vs_headhunter", "saving_vs_job_boards"]
    table = report.groups[columns].rename(columns={"salary": "first_year_salary"})
    table["source"] = table["source"].map(source_label)
    table["channel"] = table["channel"].map(source_label)
    table.insert(4, "currency", report.assumptions.currency)
    return table.sort_values(["month", "source", "channel", "department"]).round(2)


def to_xlsx(report: SavingsReport) -> bytes:
    """The report as a workbook: a summary of figures, then one sheet per table. Every
    amount, count and rate is a number in a number format ("USD 2,149", "109", "20.0%")."""
    assumptions = report.assumptions
    amount = money_format(assumptions.currency)
    formats = {"count": COUNT, "money": amount, "ratio": PERCENT, "month": MONTH, "text": None}
    rows: list[tuple[str, object, str | None]] = [
        (label, "—" if value is None else value, None if value is None else formats[kind])
        for label, value, kind in headline_values(report)]
    rows += [("Period", f"{report.start:%-d %b %Y} to {report.end:%-d %b %Y}", None),
             ("Reporting currency", assumptions.currency, None),
             ("Headhunter fee rate", assumptions.fee_rate, PERCENT_1),
             ("Job-board baseline cost per hire", assumptions.job_board_cost_per_hire, amount)]
    rows += [(f"Rate used for {c} (1 {c} in {assumptions.currency})", rate, RATE)
             for c, rate in report.rates_used.items()]
    rows += [(f"Left out: hires in {c} (no rate)", n, COUNT) for c, n in report.unconverted.items()]
    rows += [("The model", " ".join(f"{term} = {words}." for term, words
                                    in model_in_words(assumptions)), None)]
    summary = pd.DataFrame([(label, value) for label, value, _ in rows], columns=["Figure", "Value"])
    tables = {"By source": report.by_source, "By department": report.by_department,
              "By month": report.by_month, "Detail": detail_table(report)}
    column_formats = {name: _column_formats(table, amount) for name, table in tables.items()}
    return xlsx_bytes({"Summary": summary, **tables},
                      {"Summary": {"Value": [number_format for _, _, number_format in rows]},
                       **column_formats})


def _column_formats(table: pd.DataFrame, amount: str) -> dict[str, str]:
    """A table's months as months, hires as counts, every other number as an amount."""
    formats = {}
    for column in table.columns:
        if column.lower() == "month":
            formats[column] = MONTH
        elif pd.api.types.is_numeric_dtype(table[column]):
            formats[column] = COUNT if column.lower() == "hires" else amount
    return formats


def to_pdf(report: SavingsReport, company: str = "") -> bytes:
    """One A4 page: the headline figures, the two main charts, the model and the rates. Text
    is set in Noto Sans, with Noto Sans CJK for what it lacks, so any name prints as written."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    _unicode_fonts(pdf, company)  # the rest of the page is the portal's own words
    pdf.add_page()
    pdf.set_title(f"Savings report {report.start} to {report.end}")
    title = f"{company}: hiring savings" if company else "Hiring savings"
    _text(pdf, 18)
    _cell(pdf, 0, 10, title, bold=True, new_x="LMARGIN", new_y="NEXT")
    _text(pdf, 10)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 6, f"{report.start:%d %b %Y} to {report.end:%d %b %Y}, in "
                   f"{report.assumptions.currency}; generated {date.today():%d %b %Y}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    figures = headline_figures(report)
    width = (pdf.w - 30) / 4
    for row in range(2):
        top = pdf.get_y()
        for col, (label, value) in enumerate(figures[row * 4:row * 4 + 4]):
            x = 15 + col * width
            pdf.set_xy(x, top)
            pdf.set_text_color(90, 90, 90)
            _text(pdf, 8)
            pdf.cell(width, 5, label.upper())
            pdf.set_xy(x, top + 5)
            pdf.set_text_color(20, 20, 20)
            _text(pdf, 13)
            _cell(pdf, width, 8, value, bold=True)
        pdf.set_y(top + 16)

    for chart in (cumulative_savings_chart(report), cost_per_hire_chart(report)):
        png = vl_convert.vegalite_to_png(chart.properties(width=620, height=230).to_dict(), scale=2)
        pdf.image(io.BytesIO(png), x=15, w=pdf.w - 30)
        pdf.ln(2)

    pdf.set_y(max(pdf.get_y(), pdf.h - 62))
    pdf.set_text_color(60, 60, 60)
    _text(pdf, 9)
    _cell(pdf, 0, 5, "How these figures are computed", bold=True, new_x="LMARGIN", new_y="NEXT")
    _text(pdf, 8)
    notes = " ".join(f"{term} = {words}." for term, words in model_in_words(report.assumptions))
    if rates := conversions(report):
        notes += " Exchange rates used: " + "; ".join(rates) + "."
    if report.unconverted:
        notes += " Left out for want of an exchange rate: " + "; ".join(
            f"{n} hires in {c}" for c, n in report.unconverted.items()) + "."
    pdf.multi_cell(0, 4, notes)
    return bytes(pdf.output())


_FONT = "noto-sans"


def _unicode_fonts(pdf: FPDF, text: str) -> None:
    """Noto Sans (from the fontpkg-noto-sans package) and, where `text` has characters it
    lacks, Noto Sans CJK (from cvttf-notosanscjk-regular) for those; both are embedded,
    subset to the characters used. The CJK font is read only when needed (half a second)."""
    pdf.add_font(_FONT, "", fontpkg.path("noto-sans"))
    if any(ord(character) not in pdf.fonts[_FONT].cmap for character in set(text) - {"\n"}):
        pdf.add_font("noto-sans-cjk", "", cvttf_NotoSansCJK_Regular.get_TTF_path())
        pdf.set_fallback_fonts(["noto-sans-cjk"], exact_match=False)


def _text(pdf: FPDF, size: float) -> None:
    pdf.set_font(_FONT, "", size)


def _cell(pdf: FPDF, width: float, height: float, text: str, *, bold: bool = False, **place) -> None:
    """A cell of text, bold or not. The font files hold the regular weight (Noto Sans's bold
    is an instance of its variable font, seconds to make each time), so bold is drawn as the
    letters filled and outlined in the text's colour, in a graphics state of its own."""
    if not bold:
        pdf.cell(width, height, text, **place)
        return
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=pdf.font_size * 0.035,
                           draw_color=pdf.text_color):
        pdf.cell(width, height, text, **place)
