"""Recruiting overview (recruiters and admins)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import overview

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Recruiting overview")

figures = overview.recruiting_overview(actor)
columns = st.columns(5)
columns[0].metric("Open jobs", figures.open_jobs)
columns[1].metric("Postings awaiting review", figures.jobs_awaiting_review)
columns[2].metric("Referrals in progress", figures.active_referrals,
                  help="Not yet hired or not selected. A duplicate, or someone who had applied already, "
                       "counts once a recruiter moves their referral on.")
columns[3].metric("Unanswered questions", figures.unanswered_questions)
columns[4].metric("Hires, last 12 months", figures.hires_last_12_months)

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
