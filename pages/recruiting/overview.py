"""Recruiting overview (recruiters and admins)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import overview
from services.postings.editing import STATUS_LABELS

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Recruiting overview")
POSTINGS = "pages/recruiting/postings.py"

figures = overview.recruiting_overview(actor)
# A row that wraps rather than columns: side by side on a computer, two or three a row on a
# phone (columns would stack them, a screenful of figures before the chart).
figures_row = st.container(horizontal=True, wrap=True, gap="medium", key="overview-figures")


def figure(label: str, value: int, page: str, opens: str, query: dict[str, str] | None = None,
           help: str | None = None) -> None:
    """A figure with a link to the list it counts."""
    with figures_row.container(width="content", gap="small"):
        st.metric(label, value, help=help)
        ui.page_link(page, label=opens, query_params=query or {}, icon=":material/arrow_forward:")


# Job postings' status filter is in its URL by the statuses' names.
figure("Open jobs", figures.open_jobs, POSTINGS, "Published postings",
       {"status": STATUS_LABELS["published"]})
figure("Postings awaiting review", figures.jobs_awaiting_review, POSTINGS, "Postings in review",
       {"status": STATUS_LABELS["in_review"]})
figure("Referrals in progress", figures.active_referrals, "pages/recruiting/referrals.py", "Referrals board",
       help="Not yet hired or not selected. A duplicate, or someone who had applied already, "
            "counts once a recruiter moves their referral on.")
figure("Unanswered questions", figures.unanswered_questions, "pages/recruiting/inbox.py", "Questions inbox")
figure("Hires, last 12 months", figures.hires_last_12_months, "pages/recruiting/hires.py", "Hires")

st.subheader("Hires by month and source", anchor=False)
if not figures.hires_by_month.num_rows:
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
