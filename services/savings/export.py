"""The savings report as files: CSV, Excel and a one-page PDF for a leadership meeting."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import vl_convert
from fpdf import FPDF

from portal.spreadsheets import csv_bytes, xlsx_bytes
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


def headline_figures(report: SavingsReport) -> list[tuple[str, str]]:
    """The period's headline figures as (label, value), in the order the page shows them."""
    totals, currency = report.totals, report.assumptions.currency
    if report.payback_month is not None:
        payback = report.payback_month.strftime("%b %Y")
    else:
        payback = "no running costs" if not totals.running_costs else "not yet"
    return [
        ("Hires", f"{totals.hires:,.0f}"),
        ("Actual cost per hire", money(totals.cost_per_hire, currency)),
        ("Saving vs headhunter", money(totals.saving_vs_headhunter, currency)),
        ("Saving vs job boards", money(totals.saving_vs_job_boards, currency)),
        ("Running costs", money(totals.running_costs, currency)),
        ("ROI", "—" if totals.roi is None else f"{totals.roi:.0%}"),
        ("Payback month", payback),
    ]


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
    summary = pd.DataFrame(
        headline_figures(report)
        + [("Period", f"{report.start} to {report.end}"),
           ("Reporting currency", report.assumptions.currency),
           ("Headhunter fee rate", f"{report.assumptions.fee_rate:.1%}"),
           ("Job-board baseline cost per hire", money(report.assumptions.job_board_cost_per_hire,
                                                      report.assumptions.currency))]
        + [(f"Rate used for {c}", f"{rate:g}") for c, rate in report.rates_used.items()]
        + [(f"Left out: hires in {c} (no rate)", str(n)) for c, n in report.unconverted.items()]
        + [("The model", " ".join(f"{term} = {words}." for term, words
                                  in model_in_words(report.assumptions)))],
        columns=["Figure", "Value"])
    return xlsx_bytes({"Summary": summary, "By source": report.by_source,
                       "By department": report.by_department, "By month": report.by_month,
                       "Detail": detail_table(report)})


def to_pdf(report: SavingsReport, company: str = "") -> bytes:
    """One A4 page: the headline figures, the two main charts, the model and the rates."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_title(_latin1(f"Savings report {report.start} to {report.end}"))
    pdf.set_font("helvetica", "B", 18)
    title = f"{company}: hiring savings" if company else "Hiring savings"
    pdf.cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 6, _latin1(f"{report.start:%d %b %Y} to {report.end:%d %b %Y}, in "
                           f"{report.assumptions.currency}; generated {date.today():%d %b %Y}"),
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
            pdf.set_font("helvetica", "", 8)
            pdf.cell(width, 5, _latin1(label.upper()))
            pdf.set_xy(x, top + 5)
            pdf.set_text_color(20, 20, 20)
            pdf.set_font("helvetica", "B", 13)
            pdf.cell(width, 8, _latin1(value))
        pdf.set_y(top + 16)

    for chart in (cumulative_savings_chart(report), cost_per_hire_chart(report)):
        png = vl_convert.vegalite_to_png(chart.properties(width=620, height=230).to_dict(), scale=2)
        pdf.image(io.BytesIO(png), x=15, w=pdf.w - 30)
        pdf.ln(2)

    pdf.set_y(max(pdf.get_y(), pdf.h - 62))
    pdf.set_text_color(60, 60, 60)
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(0, 5, "How these figures are computed", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    notes = " ".join(f"{term} = {words}." for term, words in model_in_words(report.assumptions))
    if rates := conversions(report):
        notes += " Exchange rates used: " + "; ".join(rates) + "."
    if report.unconverted:
        notes += " Left out for want of an exchange rate: " + "; ".join(
            f"{n} hires in {c}" for c, n in report.unconverted.items()) + "."
    pdf.multi_cell(0, 4, _latin1(notes))
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    """The PDF's built-in fonts cover Latin-1 only."""
    for wide, narrow in (("—", "-"), ("–", "-"), ("−", "-"), ("×", "x"), ("÷", "/"), ("€", "EUR"),
                         ("’", "'"), ("“", '"'), ("”", '"'), ("…", "...")):
        text = text.replace(wide, narrow)
    return text.encode("latin-1", "replace").decode("latin-1")
