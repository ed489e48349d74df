"""Company facts: what drafted answers to candidates' questions may draw on, and what the
public Q&A page shows under "About working here"."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.postings import company

actor = ui.require_role(Role.ADMIN)
st.title("Company facts")
st.caption("Benefits, the hiring process, locations: short facts in plain words. Drafted answers "
           "use only these, the job posting and the published answers, and say which they used. "
           "Visitors see them on the Questions & answers page.")

TOPICS = list(company.FACT_TOPICS)


def fact_form(key: str, fact: company.Fact | None = None) -> None:
    with st.form(key, clear_on_submit=fact is None):
        topic = st.selectbox("Topic", TOPICS, format_func=company.FACT_TOPICS.get,
                             index=TOPICS.index(fact.topic) if fact else 0)
        title = st.text_input("Title", value=fact.title if fact else "", max_chars=120)
        body = st.text_area("Text", value=fact.body if fact else "", max_chars=4000, height=120)
        saved = st.form_submit_button("Save" if fact else "Add fact", type="primary")
    if saved:
        try:
            company.save_fact(actor, topic=topic, title=title, body=body,
                              fact_id=fact.id if fact else None)
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.toast("Fact saved.", icon=":material/check:")
            st.rerun()


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
