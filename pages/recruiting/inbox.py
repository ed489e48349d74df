"""Questions inbox: unanswered questions oldest first; draft, edit and answer each one."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.candidates import inbox, questions

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Questions inbox")

# The toggle's column is wide enough for its whole label ("Held for rev…" at 1 in 6).
search_col, job_col, held_col = st.columns([3, 2, 1.6], vertical_alignment="bottom")
search = search_col.text_input("Search questions", max_chars=200)
job_choices = dict(inbox.waiting_jobs(actor))
job_id = job_col.selectbox("Job", [None, *job_choices],
                           format_func=lambda j: "All jobs and general" if j is None else job_choices[j])
held_only = held_col.toggle("Held for review only", help="Questions that screening held back as "
                            "possible spam or abuse.")
page_key = f"inbox-page:{search}:{job_id}:{held_only}"
box = inbox.inbox(actor, job_id=job_id, held_only=held_only, search=search,
                  page=ui.page_number(page_key))

# A row that wraps rather than columns: on a phone columns would stack the three figures.
figures_row = st.container(horizontal=True, wrap=True, gap="medium", key="inbox-figures")
figures_row.metric("Waiting", f"{box.page.total:,}", width="content")
figures_row.metric("Overdue", f"{box.overdue:,}", width="content",
                   help=f"Waiting longer than the target of {box.target_hours} h.")
figures_row.metric("Target response time", f"{box.target_hours} h", width="content")
if not box.page.total:
    st.success("Nothing waiting. Every question has been dealt with." if not (search or job_id or held_only)
               else "No waiting questions match these filters.")
    st.stop()

table_key = f"inbox-table:{page_key}:{box.page.number}"
selection = st.dataframe(
    [{"Waiting": inbox.age_label(q.age), "Overdue": "Overdue" if q.overdue else "",
      "Job": q.job_title or "General", "Question": q.body,
      "Held": q.held_reason or "", "Email": "yes" if q.has_email else ""} for q in box.page.rows],
    hide_index=True, on_select="rerun", selection_mode="single-row", key=table_key,
    column_config={"Overdue": st.column_config.TextColumn(width="small"),
                   "Question": st.column_config.TextColumn(width="large")})
ui.pagination(box.page, page_key)

chosen = [row for row in (selection.selection.rows if selection else []) if row < len(box.page.rows)]
if not chosen:
    st.caption("Select a question to draft and send its answer.")
    st.stop()

question = box.page.rows[chosen[0]]
answer_key, draft_key = f"answer:{question.id}", f"draft:{question.id}"


def make_draft() -> None:
    draft = inbox.suggest(actor, question.id)
    st.session_state[draft_key] = draft
    if draft.answer:
        st.session_state[answer_key] = draft.answer


def use_answer(text: str) -> None:
    st.session_state[answer_key] = text


st.subheader("Question", anchor=False)
st.text(question.body)
st.caption(" · ".join([f"Asked {question.created_at:%d %b %Y %H:%M}",
                       f"waiting {inbox.age_label(question.age)}",
                       ui.plain(question.job_title or "General question"),
                       "the asker left an email" if question.has_email else "no email: private link only"]))
if question.held_reason:
    st.warning(f"Held for review: {ui.plain(question.held_reason)}")

st.button("Draft an answer", icon=":material/auto_awesome:", on_click=make_draft)
draft = st.session_state.get(draft_key)
if draft is not None:
    if draft.note:
        st.info(ui.plain(draft.note))
    if draft.used:
        st.caption("The draft used: " + "; ".join(ui.plain(f"{s.kind} “{s.title}”") for s in draft.used))
    for n, offer in enumerate(draft.offered):
        with st.expander(f"Closest answer: {ui.plain(offer.body)}"):
            st.text(offer.answer)
            st.button("Use this answer", key=f"use:{question.id}:{n}", on_click=use_answer,
                      args=(offer.answer,))

problems = ui.FieldProblems()  # the summary of a refused answer, above it
answer = st.text_area("Answer", key=answer_key, height=180, max_chars=8000)
problems.under("answer")
topic = ui.known_choice("Topic in the FAQ", questions.faq_topics(actor), None,
                        "Choose a topic or type a new one", key=f"topic:{question.id}",
                        help="The FAQ groups its answers by topic; type a new one to add it.")
problems.under("topic")
problems.by_button()


def act(action, done: str, *args) -> None:
    """Run `action` on the question; say `done` (Markdown, with the question's words quoted
    through `quoted`) when it worked."""
    try:
        outcome = action(actor, question.id, *args)
    except UserFacingError as error:
        problems.show(error)  # the answer and topic stay as typed
        return
    sent = getattr(outcome, "emailed", False)
    st.toast(done + (" The answer was emailed to the asker." if sent else ""), icon=":material/check:")
    st.session_state.pop(table_key, None)
    st.rerun()


def quoted(text: str) -> str:
    """A question's words in a confirmation: italic, shortened, shown as the text it is."""
    return f"*{ui.plain(ui.shortened(text, 120))}*"


publish_col, private_col, reject_col = st.columns(3)
if publish_col.button("Publish to FAQ", type="primary", icon=":material/public:"):
    act(inbox.publish, f"Published to the FAQ: {quoted(question.body)}", answer, topic or "")
if private_col.button("Answer privately", icon=":material/lock:"):
    act(inbox.answer_privately, f"Answered privately: {quoted(question.body)}", answer)
with reject_col.popover("Reject as spam", icon=":material/block:"):
    st.write("The question leaves the inbox unanswered; the asker is not told.")
    if st.button("Reject", type="primary", key=f"reject:{question.id}"):
        act(inbox.reject, f"Rejected as spam: {quoted(question.body)}")

if draft is not None:
    targets = draft.offered
else:  # looked up once per question, not again at every rerun while the answer is written
    if f"merge-targets:{question.id}" not in st.session_state:
        st.session_state[f"merge-targets:{question.id}"] = questions.similar(actor, question.body)
    targets = st.session_state[f"merge-targets:{question.id}"]
if targets:
    with st.expander("Merge into an existing answer", icon=":material/merge:"):
        st.caption("For a question already answered in the FAQ: the asker gets that answer.")
        into = st.selectbox("Published question", targets, format_func=lambda q: q.body,
                            key=f"merge-target:{question.id}")
        st.text(into.answer)
        if st.button("Merge", key=f"merge:{question.id}"):
            act(inbox.merge, f"Merged into {quoted(into.body)}: the asker gets its answer.", into.id)
