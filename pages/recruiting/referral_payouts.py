"""Referral payouts (recruiters and admins): bonus rules, start dates and leavers, the
bonuses waiting, due, paid and forfeited, marking them paid, and the CSV for payroll."""

from datetime import date

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.postings.listings import LEVEL_LABELS
from services.referrals import rewards

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Referral payouts")
st.caption("A job's own referral bonus comes first, then the rule of its level, then its department's "
           "rule, then the rule for every department. Bonuses are due a retention period after the "
           "hire's start date, taken from the first of those rules there is (90 days without one).")

if notice := st.session_state.pop("payout-notice", None):
    st.success(ui.plain(notice))  # it may hold a department or a person's name


# The payouts shown (a status, or all) as the "Show" control holds it, read with the rest of
# the page in one transaction.
status = st.session_state.get("payouts-status", "due")
screen = rewards.payouts_screen(actor, status, ui.page_number(f"payouts-page:{status}"))


def _done(message: str) -> None:
    st.session_state["payout-notice"] = message
    st.rerun()


with st.expander("Bonus rules"):
    st.subheader("By department", divider="gray")
    existing, departments = screen.rules, screen.departments
    if existing:
        st.dataframe([{"Department": r.department or "Every department", "Bonus": f"{r.amount:,.2f}",
                       "Paid after (days)": r.retention_days} for r in existing], hide_index=True)
    rule_problems = ui.FieldProblems()  # a refused rule: every problem at once, each under its field
    with st.form("bonus-rule", enter_to_submit=False):
        a, b, c = st.columns(3)
        with a:
            department = ui.known_choice("Department", departments, None, "Every department",
                                         help="Choose one of the departments of the postings, or type "
                                              "another; leave it empty for every department.")
            rule_problems.under("department")
        with b:
            amount = st.number_input("Bonus", min_value=None, value=1000.0, step=100.0)
            rule_problems.under("amount")
        with c:
            days = st.number_input("Paid after (days from start)", value=rewards.DEFAULT_RETENTION_DAYS,
                                   step=1)
            rule_problems.under("retention_days")
        rule_problems.by_button()
        if st.form_submit_button("Save rule"):
            try:
                rule = rewards.save_rule(actor, department, amount, None if days is None else int(days))
                _done(f"Saved: {rule.department or 'every department'} earns {rule.amount:,.2f}.")
            except UserFacingError as error:
                rule_problems.show(error)

    st.subheader("By job level", divider="gray")
    level_rules = screen.level_rules
    if level_rules:
        st.dataframe([{"Level": r.label, "Bonus": f"{r.amount:,.2f}", "Paid after (days)": r.retention_days}
                      for r in level_rules], hide_index=True)
    else:
        st.caption("No level has a rule yet: jobs without their own bonus use their department's rule.")
    level_problems = ui.FieldProblems()
    with st.form("level-bonus-rule", enter_to_submit=False):
        a, b, c = st.columns(3)
        with a:
            level = st.selectbox("Job level", list(LEVEL_LABELS), index=None, format_func=LEVEL_LABELS.get,
                                 placeholder="Choose a level")
            level_problems.under("level")
        with b:
            level_amount = st.number_input("Bonus for the level", min_value=None, value=1000.0, step=100.0)
            level_problems.under("amount")
        with c:
            level_days = st.number_input("Paid after (days from start)", value=rewards.DEFAULT_RETENTION_DAYS,
                                         step=1, key="level-days")
            level_problems.under("retention_days")
        level_problems.by_button()
        if st.form_submit_button("Save level rule"):
            try:
                rule = rewards.save_level_rule(actor, level, level_amount,
                                               None if level_days is None else int(level_days))
                _done(f"Saved: {rule.label} jobs earn {rule.amount:,.2f}, paid {rule.retention_days} days "
                      "after the start.")
            except UserFacingError as error:
                level_problems.show(error)
    if level_rules:
        gone_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
        gone = gone_col.selectbox("Delete the rule of", [r.level for r in level_rules],
                                  format_func=LEVEL_LABELS.get, key="level-rule-delete")
        if button_col.button("Delete level rule", icon=":material/delete:"):
            try:
                rewards.delete_level_rule(actor, gone)
                _done(f"Deleted the rule of {LEVEL_LABELS[gone]} jobs; they fall back to their "
                      "department's rule.")
            except UserFacingError as error:
                ui.show_error(error)

hired = screen.hired
with st.expander("Record a start date or a leaver"):
    if not hired:
        st.info("No referral is at Hired yet.")
    else:
        names = {r.id: f"{r.candidate_name} · {r.job_title or 'Open to anything'} · {r.referrer_name}"
                 for r in hired}
        earned = screen.bonuses
        st.dataframe([{"Hired referral": names[i], "Bonus": f"{b.amount:,.2f}", "From": b.amount_from,
                       "Paid after (days)": b.retention_days, "Retention from": b.retention_from}
                      for i, b in earned.items()], hide_index=True)
        start_problems = ui.FieldProblems()  # every problem at once, each under its field
        with st.form("start-date", enter_to_submit=False):
            chosen = st.selectbox("Hired referral", list(names), format_func=names.get)
            start = st.date_input("Start date", value=None, format="YYYY-MM-DD")
            start_problems.under("start_date")
            split = st.text_area("Split the bonus (optional)", placeholder="priya@example.com 60\n"
                                 "tom@example.com 40", help="One referrer's email and percent a line; "
                                 "empty gives it all to the referrer.")
            start_problems.under("split")
            left = st.date_input("Left on (only if the hire has left)", value=None, format="YYYY-MM-DD")
            start_problems.under("left_on")
            start_problems.by_button()
            if st.form_submit_button("Save"):
                try:
                    shares = rewards.check_start_form(start, split, left)
                    message = ""
                    if start is not None:
                        planned = rewards.record_start(actor, chosen, start, shares)
                        message = "Planned: " + "; ".join(f"{e} {a:,.2f} due {d}" for e, a, d in planned)
                        message += ". "
                    if left is not None:
                        lost = rewards.record_leaving(actor, chosen, left)
                        message += f"Leaving recorded; {counted(lost, 'bonus share')} forfeited."
                    _done(message)
                except UserFacingError as error:
                    start_problems.show(error)

st.segmented_control("Show", rewards.STATUSES, default="due", format_func=rewards.STATUS_LABELS.get,
                     key="payouts-status")
st.download_button("Export CSV for payroll", lambda: rewards.payroll_csv(actor, status),
                   f"referral-payouts-{status or 'all'}-{date.today()}.csv", mime="text/csv",
                   icon=":material/download:", on_click="ignore")


def _open(payout) -> None:
    st.session_state["payout-open"] = payout


ui.paged_table(
    f"payouts-page:{status}",
    lambda _page: screen.payouts,
    lambda p: {"Referrer": p.referrer_name, "Candidate": p.candidate_name, "Job": p.job_title or "",
               "Share": f"{p.share_percent:g}%", "Amount": f"{p.amount:,.2f}", "Start": p.start_date,
               "Due on": p.due_on, "Status": rewards.STATUS_LABELS[p.status],
               "Paid": f"{p.paid_at:%Y-%m-%d %H:%M} by {p.paid_by}" if p.paid_at else ""},
    empty="No bonuses here.", on_select=_open,
)
chosen = st.session_state.get("payout-open")
if chosen is not None and chosen.status in ("due", "waiting"):
    label = (f"Mark {chosen.amount:,.2f} to {chosen.referrer_name}"
             f" for {chosen.candidate_name or 'a referral'} paid")
    if st.button(ui.plain(label), type="primary"):
        try:
            rewards.mark_paid(actor, chosen.id)
            st.session_state.pop("payout-open", None)
            _done("Marked paid; your name and the time are kept with it.")
        except UserFacingError as error:
            ui.show_error(error)
