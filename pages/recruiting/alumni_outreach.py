"""Alumni outreach: send a job digest, and find the alumni who would come back."""

from datetime import datetime, time, timedelta

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.referrals import outreach

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Alumni outreach")
digest_tab, interest_tab = st.tabs(["Job digest", "Would come back"])

with digest_tab:
    st.caption("Send alumni the open jobs of the departments you choose: by email where email is set "
               "up, and always on their Job digests page.")
    problems = ui.FieldProblems()  # a refused digest: the summary here, each problem under its field
    chosen = st.multiselect("Departments", outreach.departments(actor), key="digest-departments",
                            placeholder="Choose departments")
    problems.under("departments")
    note = st.text_area("A note at the top (optional)", key="digest-note", max_chars=2000)
    problems.under("note")
    if chosen:
        jobs = outreach.preview(actor, chosen)
        st.subheader(f"Preview: {counted(len(jobs), 'open job')}", anchor=False)
        if jobs:
            st.dataframe([{"Title": j.title, "Department": j.department, "Location": j.location}
                          for j in jobs], hide_index=True)
    problems.by_button()
    if st.button("Send digest", type="primary", icon=":material/send:"):
        try:
            sent = outreach.send_digest(actor, chosen, note)
        except UserFacingError as error:
            problems.show(error)
        else:
            emails = counted(sent.queued, 'email')
            how = (f"{emails} queued for sending (\"Sent before\" counts them as they go)"
                   if sent.email_enabled else "not emailed (email is not set up)")
            jobs_sent = counted(sent.jobs, 'job')
            st.success(f"Digest of {jobs_sent} sent: on the alumni's Job digests page, {how}.")
    st.subheader("Sent before", anchor=False)
    history = outreach.digests(actor)

    def sent_before() -> None:
        # While emails wait for the worker, this part refreshes itself to count them as they go.
        shown = history if st.session_state.pop("sent-before-fresh", False) else outreach.digests(actor)
        if not shown:
            st.info("No digest sent yet.")
            return
        st.dataframe([{"Sent": d.sent_at.strftime("%Y-%m-%d %H:%M"), "By": d.sent_by or "",
                       "Departments": ", ".join(d.departments), "Jobs": len(d.jobs),
                       "Alumni": d.recipients, "Emails sent": d.emails.sent, "Failed": d.emails.failed,
                       "Waiting": d.emails.waiting} for d in shown], hide_index=True)
        if any(d.emails.failed for d in shown):
            st.caption("Failed emails are not sent again; the digest is still on each alumnus's "
                       "Job digests page.")

    st.session_state["sent-before-fresh"] = True  # the first run shows what was just read
    waiting = any(d.emails.waiting for d in history)
    st.fragment(sent_before, run_every="3s" if waiting else None)()

with interest_tab:
    st.caption("Alumni who said they would come back.")
    left, right = st.columns([2, 1])
    search = left.text_input("Search names, areas and notes", key="interest-search")
    window = right.selectbox("Said so", ["at any time", "in the last 30 days", "in the last 90 days",
                                         "in the last year"], key="interest-window")
    days = {"in the last 30 days": 30, "in the last 90 days": 90, "in the last year": 365}.get(window)
    since = datetime.combine(datetime.now().date() - timedelta(days=days), time()) if days else None
    ui.paged_table(
        "interest-page",
        lambda page: outreach.interested(actor, search=search, since=since, page=page),
        lambda a: {"Name": a.full_name, "Email": a.email, "Areas": a.areas, "Notes": a.notes,
                   "Since": a.since.date()},
        empty="No alumni match." if (search or since) else "No alumni have said they would come back yet.",
    )
