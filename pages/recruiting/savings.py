"""Savings: what hiring through the programme saves against headhunter fees and job boards."""

from datetime import date

import streamlit as st

from portal import spreadsheets, ui
from portal.models import Role
from portal.months import month_start
from portal.words import counted
from services.postings import company
from services.savings import export
from services.savings import report as savings
from services.savings.charts import cost_per_hire_chart, cumulative_savings_chart

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Savings")
st.caption("What hiring through referrals, social media and the career site saves against "
           "headhunter fees and job boards.")

today = date.today()
period = st.date_input("Period", value=(month_start(today, 11), today),  # twelve months
                       max_value=today, format="YYYY-MM-DD",
                       help="Hires dated in this period, both days included. Running costs "
                            "count for every month the period touches.")
if len(period) != 2:
    st.info("Choose the last day of the period too.")
    st.stop()
start, end = period
report = savings.savings_report(actor, start, end)
currency = report.assumptions.currency

for missing, hires in report.unconverted.items():
    st.warning(f"{counted(hires, 'hire')} and any running costs in {missing} are left out: there is no "
               f"exchange rate from {missing} to {currency}. An admin can add one under "
               "Running costs & assumptions.", icon=":material/currency_exchange:")

figures = export.headline_figures(report)
# A row that wraps rather than columns: the figures side by side on a computer, two or three a
# row on a phone (columns would stack them, a screenful of figures before the tables).
figures_row = st.container(horizontal=True, wrap=True, gap="medium", key="savings-figures")
for label, value in figures:
    figures_row.metric(label, value, width="content")
if not report.totals.hires:
    st.info("No hires in this period. Hires come from applications and referrals marked "
            "hired, and from the Hires page's import.")

money_columns = {name: st.column_config.NumberColumn(f"{name} ({currency})", format="localized")
                 for name in (
    savings.ACTUAL_COST, savings.COST_PER_HIRE, savings.SAVING_HEADHUNTER, savings.SAVING_JOB_BOARDS,
    savings.RUNNING_COSTS, savings.CUMULATIVE_SAVINGS, savings.CUMULATIVE_COSTS)}


def table(frame, name: str) -> None:
    st.dataframe(frame.round(0), hide_index=True, column_config=money_columns)
    st.download_button("CSV", lambda: spreadsheets.csv_bytes(frame),
                       f"savings-{name}-{start}-to-{end}.csv",
                       mime="text/csv", icon=":material/download:", key=f"csv-{name}", on_click="ignore")


def company_name() -> str:
    profile = company.company_profile(actor)
    return profile.name if profile else ""


by_source, by_department, by_month, what_if, model = st.tabs(
    ["By source and channel", "By department", "By month", "What if", "How it is computed"])
with by_source:
    if report.totals.hires:
        st.altair_chart(cost_per_hire_chart(report), width="stretch")
    table(report.by_source, "by-source")
with by_department:
    table(report.by_department, "by-department")
with by_month:
    st.altair_chart(cumulative_savings_chart(report), width="stretch")
    table(report.by_month, "by-month")



@st.fragment  # a slider move recomputes the what-if only, not the report
def what_if_figures() -> None:
    st.caption("Move the sliders to see the period's figures had these been different. The "
               "number of hires stays the same; hires move between referrals and the other "
               "sources, which keep their mix and their cost per hire.")
    left, right = st.columns([2, 3])
    with left:
        fee_rate = st.slider("Headhunter fee rate", 0.0, max(50.0, report.assumptions.fee_rate * 100),
                             report.assumptions.fee_rate * 100,
                             step=0.5, format="%.1f%%") / 100
        # The sliders start at the period's actual figures, so that "What if" starts equal
        # to "Actual".
        actual_bonus = report.average_referral_bonus
        if actual_bonus is None:  # no referral hires in the period: a typical bonus
            actual_bonus = 1500.0
        bonus = st.slider(f"Referral bonus per hire ({currency})", 0.0, max(10_000.0, actual_bonus),
                          actual_bonus, step=50.0, format="%.0f")
        share = st.slider("Share of hires made by referral", 0.0, 100.0,
                          report.referral_share * 100, step=0.5, format="%.1f%%") / 100
    actual, scenario = report.totals, savings.what_if(report, fee_rate=fee_rate,
                                                      referral_bonus=bonus, referral_share=share)

    def shown(label: str, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.0%}" if label == "ROI" else export.money(value, currency)

    figures = {"Actual cost per hire": "cost_per_hire", "Saving vs headhunter": "saving_vs_headhunter",
               "Saving vs job boards": "saving_vs_job_boards", "ROI": "roi"}
    right.dataframe([{"Figure": label, "Actual": shown(label, getattr(actual, field)),
                      "What if": shown(label, getattr(scenario, field))}
                     for label, field in figures.items()], hide_index=True)


with what_if:
    what_if_figures()

with model:
    st.markdown("\n".join(f"- **{term}** = {words}."
                          for term, words in export.model_in_words(report.assumptions)))
    if rates := export.conversions(report):
        st.markdown(f"Amounts are converted to {currency} at: {', '.join(rates)}.")
    else:
        st.markdown(f"All amounts in this period are in {currency}; nothing was converted.")

st.divider()
st.subheader("Export", anchor=False)
excel, pdf, detail = st.columns(3)
excel.download_button("Excel workbook", lambda: export.to_xlsx(report),
                      export.file_name(report, "xlsx"), mime=spreadsheets.MEDIA_TYPES["xlsx"],
                      icon=":material/table_view:", width="stretch", on_click="ignore")
pdf.download_button("One-page PDF", lambda: export.to_pdf(report, company_name()),
                    export.file_name(report, "pdf"), mime=spreadsheets.MEDIA_TYPES["pdf"],
                    icon=":material/picture_as_pdf:", width="stretch", type="primary", on_click="ignore")
detail.download_button("Detail CSV", lambda: export.to_csv(report),
                       export.file_name(report, "csv"), mime="text/csv",
                       icon=":material/download:", width="stretch",
                       help="Hires summed by month, source, channel and department.", on_click="ignore")
