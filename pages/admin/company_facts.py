"""Company facts: what drafted answers to candidates' questions may draw on, and what the
public Q&A page shows under "About working here"; and the company's rule for approving job
postings (whether their author may approve them too)."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.postings import company, editing

actor = ui.require_role(Role.ADMIN)
st.title("Company facts")

TOPICS = list(company.FACT_TOPICS)


def fact_form(key: str, fact: company.Fact | None = None) -> None:
    """A fact's fields; a refused save says every problem under its field and keeps what was
    typed, a new fact once added starts an empty form (a new key)."""
    if fact is None:
        key = f"{key}:{st.session_state.get('new-facts-added', 0)}"
    problems = ui.FieldProblems()
    with st.form(key):
        topic = st.selectbox("Topic", TOPICS, format_func=company.FACT_TOPICS.get,
                             index=TOPICS.index(fact.topic) if fact else 0)
        problems.under("topic")
        title = st.text_input("Title", value=fact.title if fact else "", max_chars=120)
        problems.under("title")
        body = st.text_area("Text", value=fact.body if fact else "", max_chars=4000, height=120)
        problems.under("body")
        problems.by_button()
        saved = st.form_submit_button("Save" if fact else "Add fact", type="primary")
    if saved:
        try:
            company.save_fact(actor, topic=topic, title=title, body=body,
                              fact_id=fact.id if fact else None)
        except UserFacingError as error:
            problems.show(error)
        else:
            if fact is None:
                st.session_state["new-facts-added"] = st.session_state.get("new-facts-added", 0) + 1
            st.toast("Fact saved.", icon=":material/check:")
            st.rerun()


st.subheader("Approving job postings", anchor=False)
allowed = editing.self_approval_allowed(actor)
with st.form("self-approval"):
    choice = st.radio(
        "Who approves a job posting", [False, True], index=int(allowed), horizontal=False,
        format_func=lambda v: ("Whoever wrote or submitted it may approve it too (each such approval "
                               "is recorded in the audit log)") if v else
                              "Another recruiter or admin, never whoever wrote or submitted it",
        help="Social posts always need a second person. Allowing self-approval suits a team of one.")
    if st.form_submit_button("Save", type="primary"):
        try:
            editing.allow_self_approval(actor, choice)
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.toast("Self-approval of postings is now " + ("allowed." if choice else "not allowed."),
                     icon=":material/check:")
            st.rerun()

st.subheader("Facts", anchor=False)
st.caption("Benefits, the hiring process, locations: short facts in plain words. Drafted answers "
           "use only these, the job posting and the published answers, and say which they used. "
           "Visitors see them on the Questions & answers page.")
with st.expander("Add a fact", icon=":material/add:", expanded=False):
    fact_form("new-fact")

facts = company.facts(actor)
if not facts:
    st.info("No facts yet. Add the benefits, the steps of the hiring process and the offices, so "
            "that drafted answers have something to draw on.")
for fact in facts:
    with st.expander(f"{company.FACT_TOPICS[fact.topic]}: {ui.plain(fact.title)}"):
        fact_form(f"fact:{fact.id}", fact)
        if st.button("Delete", key=f"delete-fact:{fact.id}", icon=":material/delete:"):
            try:
                company.delete_fact(actor, fact.id)
            except UserFacingError as error:
                ui.show_error(error)
            else:
                st.rerun()
