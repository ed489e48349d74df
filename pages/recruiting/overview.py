"""Recruiting overview (recruiters and admins)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import overview

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Recruiting overview")

figures = overview.recruiting_overview(actor)
# A row that wraps rather than columns: side by side on a computer, two or three a row on a
# phone (columns would stack them, a screenful of figures before the chart).
figures_row = st.container(horizontal=True, wrap=True, gap="medium", key="overview-figures")
figures_row.metric("Open jobs", figures.open_jobs, width="content")
figures_row.metric("Postings awaiting review", figures.jobs_awaiting_review, width="content")
figures_row.metric("Referrals in progress", figures.active_referrals, width="content",
                   help="Not yet hired or not selected. A duplicate, or someone who had applied already, "
                        "counts once a recruiter moves their referral on.")
figures_row.metric("Unanswered questions", figures.unanswered_questions, width="content")
figures_row.metric("Hires, last 12 months", figures.hires_last_12_months, width="content")

st.subheader("Hires by month and source", anchor=False)
if figures.hires_by_month.empty:
    st.info("No hires recorded in the last 12 months.")
else:
    # A Vega-Lite spec as a dict: Altair would validate its chart against the schema on
    # every rerun (about 15 ms), for a chart that never changes shape.
    st.vega_lite_chart(figures.hires_by_month, {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "month", "timeUnit": "yearmonth", "type": "ordinal", "title": None,
                  "axis": {"format": "%b %Y", "labelAngle": 0}},
            "y": {"field": "hires", "aggregate": "sum", "type": "quantitative", "title": "Hires"},
            "color": {"field": "source", "type": "nominal", "title": "Source"},
            "tooltip": [{"field": "month", "timeUnit": "yearmonth", "type": "temporal"},
                        {"field": "source", "type": "nominal"},
                        {"field": "hires", "aggregate": "sum", "type": "quantitative"}],
        },
    }, width="stretch")
