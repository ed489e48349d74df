"""Referral programme: referrals, interviews, hires and conversion by month and department,
the top referrers, and time to hire for referrals against other sources."""

from datetime import date

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.spreadsheets import csv_bytes
from services.referrals import programme_figures, submission

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Referral programme")
if notice := st.session_state.pop("ownership-saved", None):
    st.success(notice)
st.caption("Each month counts the referrals made in it and how far they have got since: interviews "
           "are those that reached an interview, even if not selected afterwards. Duplicates and people "
           "who had applied already are left out. Conversion is hires per referral.")

today = date.today()
left, right = st.columns(2)
start = left.date_input("From", value=date(today.year - 1, today.month, 1), key="programme-from")
end = right.date_input("To", value=today, key="programme-to")
try:
    figures = programme_figures.figures(actor, start, end)
except UserFacingError as error:
    ui.show_error(error)
    st.stop()

totals = figures.totals
for column, (label, value) in zip(st.columns(4), (
        ("Referrals", f"{totals['referrals']:,}"), ("Interviews", f"{totals['interviews']:,}"),
        ("Hires", f"{totals['hires']:,}"), ("Conversion", f"{totals['conversion']:.1%}")), strict=True):
    column.metric(label, value)

if figures.by_month.empty:
    st.info("No referrals in this period.")
else:
    st.altair_chart(programme_figures.month_chart(figures.by_month))

config = {"Conversion": st.column_config.NumberColumn(format="percent")}


def table(title: str, frame, key: str, empty: str) -> None:
    st.subheader(title, anchor=False)
    if frame.empty:
        st.info(empty)
        return
    shown = programme_figures.labelled(frame)
    st.dataframe(shown, hide_index=True, column_config=config)
    st.download_button(f"{title} as CSV", csv_bytes(shown), f"referral-programme-{key}-{start}-{end}.csv",
                       mime="text/csv", icon=":material/download:", key=f"csv-{key}", on_click="ignore")


table("By month", figures.by_month, "by-month", "No referrals in this period.")
table("By department", figures.by_department, "by-department", "No referrals in this period.")
table("Top referrers", figures.top_referrers, "top-referrers", "No referrals in this period.")
st.caption("Referrers who chose to stay off the leaderboard are not listed.")
table("Time to hire", figures.time_to_hire, "time-to-hire", "No hires in this period.")
st.caption("Days from the referral (or, for other sources, the application) to the hire date, "
           "for hires dated in the period; hires imported without either are counted apart.")

st.subheader("Ownership period", anchor=False)
months = submission.ownership_months(actor)
st.caption(f"A candidate belongs to their first referrer for {months} months: a second referral of the same "
           "person (by email or LinkedIn profile) in that time is recorded as a duplicate and earns nothing.")
if actor.role is Role.ADMIN:
    with st.form("ownership-period", border=True):
        chosen = st.number_input("Months a referrer owns a candidate", min_value=1, max_value=60,
                                 value=months, step=1,
                                 help="Applies to referrals made from now on; running ones keep theirs.")
        if st.form_submit_button("Save ownership period"):
            ui.act_then_rerun(lambda: submission.set_ownership_months(actor, int(chosen)), "ownership-saved",
                              f"Referrers now own a candidate for {int(chosen)} months.")
else:
    st.caption("Admins change it here.")
