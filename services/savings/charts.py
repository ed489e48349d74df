"""The Savings page's two main charts, shared by the page and the PDF report."""

from __future__ import annotations

import altair as alt
import pandas as pd

from services.savings.report import (
    COST_PER_HIRE,
    CUMULATIVE_COSTS,
    CUMULATIVE_SAVINGS,
    HIRES,
    SavingsReport,
)


def cumulative_savings_chart(report: SavingsReport) -> alt.Chart:
    """Cumulative savings against a headhunter beside cumulative running costs, by month."""
    currency = report.assumptions.currency
    lines = report.by_month.melt(id_vars="Month", value_vars=[CUMULATIVE_SAVINGS, CUMULATIVE_COSTS],
                                 var_name="Series", value_name="Amount")
    lines["Month"] = pd.to_datetime(lines["Month"])
    return (
        alt.Chart(lines, title=f"Cumulative savings against running costs ({currency})")
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(Month):T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("Amount:Q", title=currency, axis=alt.Axis(format="~s")),
            color=alt.Color("Series:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=[CUMULATIVE_SAVINGS, CUMULATIVE_COSTS],
                                            range=["#2e7d32", "#c62828"])),
            tooltip=[alt.Tooltip("yearmonth(Month):T", title="Month"), "Series:N",
                     alt.Tooltip("Amount:Q", format=",.0f")],
        )
    )


def cost_per_hire_chart(report: SavingsReport) -> alt.Chart:
    """Actual cost per hire by source, with the job-board baseline as a rule."""
    currency = report.assumptions.currency
    by_source = report.by_source.groupby("Source", as_index=False)[[HIRES, "Actual cost"]].sum()
    by_source[COST_PER_HIRE] = by_source["Actual cost"] / by_source[HIRES]
    bars = (
        alt.Chart(by_source, title=f"Cost per hire by source ({currency})")
        .mark_bar()
        .encode(
            x=alt.X(f"{COST_PER_HIRE}:Q", title=f"{currency} per hire", axis=alt.Axis(format="~s")),
            y=alt.Y("Source:N", sort="-x", title=None),
            tooltip=["Source:N", alt.Tooltip(f"{HIRES}:Q"),
                     alt.Tooltip(f"{COST_PER_HIRE}:Q", format=",.0f")],
        )
    )
    # The dashed red rule is named in the chart's legend, with its amount.
    baseline_amount = report.assumptions.job_board_cost_per_hire
    label = f"Job-board baseline: {currency} {baseline_amount:,.0f} per hire"
    baseline = pd.DataFrame({"Baseline": [baseline_amount], "Label": [label]})
    rule = alt.Chart(baseline).mark_rule(strokeWidth=2).encode(
        x="Baseline:Q",
        color=alt.Color("Label:N", title=None, scale=alt.Scale(domain=[label], range=["#c62828"]),
                        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=2,
                                          labelLimit=400)),
        strokeDash=alt.StrokeDash("Label:N", title=None, scale=alt.Scale(domain=[label], range=[[4, 3]])),
        tooltip=[alt.Tooltip("Baseline:Q", format=",.0f", title="Job-board baseline")])
    return bars + rule
