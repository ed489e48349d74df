"""Candidates (recruiters and admins): every application of every job in one table, searched
by name or email and filtered by job, stage and source, a page at a time; chosen rows open
the person's profile or move to another stage together."""

from uuid import UUID

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.candidates import across_jobs, applications
from services.candidates.across_jobs import Filters, HandForm
from services.savings.report import SOURCE_LABELS, source_label

PROFILE_PAGE = "pages/recruiting/candidate.py"

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
stage_words = applications.stage_labels(actor)  # the company's names for the stages
st.title("Candidates")
st.caption("Every candidate of every job, whatever brought them: the career site, a social post, a "
           "job board, a referral, an agency. Choose rows to open a profile or to move them.")

if notice := st.session_state.pop("candidates-notice", None):
    st.success(notice)

choices = across_jobs.filter_choices(actor)
jobs = {str(job_id): title for job_id, title in choices.jobs}


def add_by_hand() -> None:
    """A person added by hand to a job: from an agency (with its fee, for the savings report),
    an internal move, a job board... Every problem is said at once, under its field; a
    refused form keeps what was typed, an accepted one starts afresh."""
    generation = st.session_state.get("candidates-add", 0)
    open_jobs = {str(job_id): title for job_id, title in choices.open_jobs}
    problems = ui.FieldProblems()
    with st.form(f"candidates-add:{generation}"):
        left, right = st.columns(2)
        with left:
            job_id = st.selectbox("Job", list(open_jobs), index=None, format_func=open_jobs.get,
                                  placeholder="Choose the job they are a candidate for")
            problems.under("job")
            full_name = st.text_input("Name", max_chars=120)
            problems.under("full_name")
            email = st.text_input("Email", max_chars=254)
            problems.under("email")
            linkedin = st.text_input("LinkedIn profile (optional)", max_chars=300,
                                     placeholder="https://www.linkedin.com/in/…")
            problems.under("linkedin_url")
        with right:
            source = st.selectbox("Source", across_jobs.HAND_SOURCES, index=None,
                                  format_func=SOURCE_LABELS.get, placeholder="Where they come from")
            problems.under("source")
            agency = st.text_input("Agency (for an agency's candidate)",
                                   max_chars=across_jobs.MAX_AGENCY_NAME)
            problems.under("agency_name")
            fee = st.number_input("Agency fee, in the job's currency (for an agency's candidate)",
                                  min_value=0.0, value=None, step=500.0,
                                  help="Counted as the hire's agency fee in the savings report if "
                                       "they are hired.")
            problems.under("agency_fee")
        problems.by_button()
        if not st.form_submit_button("Add candidate", type="primary", icon=":material/person_add:"):
            return
    try:
        added = across_jobs.add_by_hand(actor, HandForm(
            UUID(job_id) if job_id else None, full_name, email, linkedin, source,
            agency if source == "agency" else "", fee if source == "agency" else None))
    except UserFacingError as error:
        problems.show(error)  # the form keeps everything typed
        return
    person = "" if added.new_person else " (already known by this email: one profile for both)"
    st.session_state["candidates-notice"] = (
        f"Added {ui.plain(' '.join(full_name.split()))} to {ui.plain(open_jobs[job_id])}{person}. "
        "They are at the top of the list below.")
    st.session_state["candidates-add"] = generation + 1
    st.rerun()


with st.expander("Add a candidate by hand", icon=":material/person_add:"):
    st.caption("For someone who did not apply through the portal: an agency's candidate, an internal "
               "move, someone found on a job board. They are one more application of the job, moved "
               "like any other.")
    add_by_hand()

# The search and the filters live in the URL (`?q=…&job=…&stage=…&source=…`), so a filtered
# list can be shared or bookmarked; a value the list does not know is dropped and ignored.
search_col, job_col, pair_col = st.columns([3, 3, 4])
# Stage and source share a row that stays one row on a phone too (columns would stack them).
stage_col = source_col = pair_col.container(horizontal=True, gap="small")
search = search_col.text_input("Search", placeholder="Part of a name or an email", max_chars=100,
                               key="q", bind="query-params")
job = job_col.selectbox("Job", ["", *jobs], key="job", bind="query-params",
                        format_func=lambda j: jobs[j] if j else "All jobs")
stage = stage_col.selectbox("Stage", ["", *stage_words.in_use], key="stage", bind="query-params",
                            format_func=lambda s: stage_words.label(s) if s else "All stages")
source = source_col.selectbox("Source", ["", *choices.sources], key="source", bind="query-params",
                              format_func=lambda s: source_label(s) if s else "All sources")
filters = across_jobs.check_filters(Filters(search, job or None, stage or None, source or None))

page_key = f"candidates-page:{filters}"
result = across_jobs.search(actor, filters, page=ui.page_number(page_key))
if not result.total:
    st.info("No candidates match. Clear the search or choose other filters."
            if filters != Filters() else "No candidates yet: they appear here once someone applies, "
            "is referred for a job, or is added by hand.")
    st.stop()

table_key = f"candidates-table:{page_key}:{result.number}"  # a selection belongs to one page
selection = st.dataframe(
    [{"Name": r.full_name, "Email": r.email, "Job": r.job_title,
      "Stage": stage_words.label(r.status), "Source": source_label(r.source),
      "Applied": ui.day_text(r.applied_at), "In stage": applications.time_in_stage(r.stage_since)}
     for r in result.rows],
    hide_index=True, on_select="rerun", selection_mode="multi-row", key=table_key)
ui.pagination(result, page_key)
chosen = [result.rows[i] for i in (selection.selection.rows if selection else []) if i < len(result.rows)]
if not chosen:
    st.caption("Choose rows (the boxes at their left) to open a person's profile or to move them "
               "to another stage.")
    st.stop()

people = {r.candidate_id: r for r in chosen}
st.markdown(f"**{'Profile' if len(people) == 1 else 'Profiles'}**")
for person in people.values():
    ui.page_link(PROFILE_PAGE, label=ui.plain(f"{person.full_name} ({person.email})"),
                 query_params={"id": str(person.candidate_id)}, icon=":material/person:")


def move_chosen() -> None:
    """Move the chosen applications to a stage (applications.move, as on a job's Applicants
    tab); a rejection takes a reason, any move may carry a message to the candidates. A
    refused form keeps what was typed and says every problem under its field."""
    generation = st.session_state.get("candidates-move", 0)  # a done move starts a fresh form
    keys = {k: f"candidates-{k}:{generation}" for k in ("stage", "reason", "detail", "message")}
    with st.container(border=True):
        st.markdown(f"**Move the {counted(len(chosen), 'chosen application')}**")
        if st.button("Start the message from the rejection template", key="candidates-template",
                     icon=":material/edit_note:"):
            st.session_state[keys["message"]] = applications.REJECTION_TEMPLATE
        problems = ui.FieldProblems()
        with st.form(f"candidates-move:{generation}"):
            left, right = st.columns(2)
            with left:
                to = st.selectbox("Move to", stage_words.in_use, index=None, key=keys["stage"],
                                  format_func=stage_words.label, placeholder="Choose a stage")
                problems.under("stage", "applicants")
            with right:
                reason = st.selectbox(f"Reason (for {stage_words.label('rejected')})",
                                      list(applications.REJECTION_REASONS),
                                      index=None, key=keys["reason"],
                                      format_func=applications.REJECTION_REASONS.get,
                                      placeholder="Choose why they are not selected",
                                      help="Kept for recruiters; the candidate never sees it.")
                problems.under("reason")
            detail = st.text_input("Other reason", key=keys["detail"],
                                   help="Needed when the reason is “Other”; recruiters only.")
            problems.under("reason_detail")
            message = st.text_area(
                "Message to the candidate (optional)", key=keys["message"], height=120,
                help="Shown to the candidate on their follow link and under My applications, and "
                     "emailed to them when email is set up. Your words go out as plain text.")
            problems.under("message")
            problems.by_button()
            if not st.form_submit_button("Move", type="primary", icon=":material/move_down:"):
                return
    try:
        moved = applications.move(actor, applications.MoveForm(
            tuple(r.application_id for r in chosen), to, reason, detail, message))
    except UserFacingError as error:
        problems.show(error)  # the form keeps everything typed
        return
    st.session_state["candidates-notice"] = moved.describe(to, "application", bool(message.strip()),
                                                           stage_words)
    st.session_state["candidates-move"] = generation + 1
    st.session_state.pop(table_key, None)  # the moved rows are no longer chosen
    st.rerun()


move_chosen()
