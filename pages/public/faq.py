"""Questions and answers: ask (with similar answered questions suggested as the question is written),
read the published answers grouped by topic and job, and the facts about working here."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from services.candidates import questions
from services.people import preferences
from services.postings import company, listings

actor = ui.current_actor()
st.title("Questions & answers")

about_job = listings.public_job(actor, st.query_params.get("job", "")) if st.query_params.get("job") else None

# --- ask ----------------------------------------------------------------------------------


@st.fragment
def ask() -> None:
    """The question box and its suggestions: typing reruns this part of the page only."""
    with st.container(border=True):
        st.subheader("Ask a question", anchor=False)
        hours = preferences.preferences(actor).answer_target_hours
        st.caption(f"A recruiter answers, usually within {hours} hours. Your question is published "
                   "with its answer only if it helps others, and never with your name or email.")
        problems = ui.FieldProblems()  # the summary of a failed question, above the box
        box = st.session_state.setdefault("question-box", 0)  # a new box after each question
        # Suggestions refresh while the asker writes, at each pause (only this fragment reruns).
        text = st.text_input("Your question", key=f"question-{box}", max_chars=questions.MAX_LENGTH,
                             live="400ms",
                             placeholder="For example: Can I work remotely from another country?")
        problems.under("body")
        if st.session_state.get("suggested-for") != text:  # other widgets rerun with the same text
            st.session_state["suggestions"] = (questions.similar(actor, text)
                                               if len((text or "").strip()) >= 8 else [])
            st.session_state["suggested-for"] = text
        suggestions = st.session_state["suggestions"]
        if suggestions:
            st.markdown("**Already answered — is your question one of these?**")
            for item in suggestions:
                with st.expander(ui.plain(item.body)):
                    st.text(item.answer)
        with st.form("ask"):
            email = st.text_input("Email for the answer (optional)", max_chars=254,
                                  help="We send the answer there. You also get a private link to it.")
            problems.under("email")
            general = False
            if about_job:
                general = not st.checkbox(f"About the job “{ui.plain(about_job.title)}”", value=True)
            problems.by_button()
            asked = st.form_submit_button("Ask", type="primary", icon=":material/send:")
        if asked:
            try:
                result = questions.ask(
                    actor, text or "", email=email, job_id=None if general or not about_job else about_job.id,
                    session_id=str(ui.browser_session_id()),
                    address=ui.client_address())
            except UserFacingError as error:
                problems.show(error)
            else:
                st.session_state["asked"] = result
                st.session_state["question-box"] = box + 1
                st.rerun()
        if asked_before := st.session_state.get("asked"):
            st.success("Thank you, your question has been received."
                       + (" It will be checked by a recruiter first." if asked_before.held else ""))
            st.markdown("Keep this private link to see the answer:")
            st.code(asked_before.follow_link, language=None, wrap_lines=True)


ask()

# --- answered questions -------------------------------------------------------------------
st.subheader("Answered questions", anchor=False)
search_col, topic_col = st.columns([3, 1])
search = search_col.text_input("Search the answers", max_chars=200, key="faq-search",
                                placeholder="Visa, remote, interview…")
topic = topic_col.selectbox("Topic", [None, *questions.faq_topics(actor)],
                            format_func=lambda t: t or "All topics")
page_key = f"faq-page:{search}:{topic}"
answers = questions.faq(actor, search=search, topic=topic, page=ui.page_number(page_key))
if not answers.total:
    st.info("No answers match your search. Ask your question above." if search or topic
            else "No questions have been answered yet. Be the first to ask.")
group = None
for item in answers.rows:
    heading = (item.topic or "General", item.job_title)
    if heading != group:
        group = heading
        st.markdown(f"##### {ui.plain(heading[0])}"
                    + (f" · {ui.plain(heading[1])}" if heading[1] else ""))
    with st.expander(ui.plain(item.body)):
        st.text(item.answer)
if answers.total:
    ui.pagination(answers, page_key)

facts = company.facts(actor)
if facts:
    st.subheader("About working here", anchor=False)
    for fact in facts:
        with st.expander(f"{company.FACT_TOPICS[fact.topic]}: {ui.plain(fact.title)}"):
            st.text(fact.body)
