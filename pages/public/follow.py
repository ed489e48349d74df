"""The private page an applicant or an asker follows with the link they were given."""

import streamlit as st

from portal import ui
from services.candidates import applications, questions

actor = ui.current_actor()
application_token = st.query_params.get("application")
question_token = st.query_params.get("question")

if application_token:
    st.title("Your application")
    followed = applications.application_by_link(actor, application_token)
    if followed is None:
        st.error("This link does not match any application. Check that you copied all of it.")
        st.stop()
    st.subheader(ui.plain(followed.job_title), anchor=False)
    st.metric("Status", followed.stage)
    st.caption(f"Applied on {followed.applied_at:%d %B %Y} · last change {followed.updated_at:%d %B %Y}")
    if followed.message:
        with st.container(border=True):
            st.markdown(f"**A message from the recruiting team** · {ui.day_text(followed.message_at)}")
            st.text(followed.message)  # a recruiter's words, shown as written
    if followed.status == "hired":
        st.balloons()
elif question_token:
    st.title("Your question")
    followed = questions.question_by_link(actor, question_token)
    if followed is None:
        st.error("This link does not match any question. Check that you copied all of it.")
        st.stop()
    if followed.job_title:
        st.caption(f"About {ui.plain(followed.job_title)}")
    st.text(followed.body)
    st.caption(f"Asked on {followed.asked_at:%d %B %Y}")
    if followed.answered:
        st.subheader("Answer", anchor=False)
        st.text(followed.answer)
    elif followed.status == "rejected":
        st.info("This question was not answered.")
    else:
        st.info("A recruiter has not answered yet. Come back to this page later.")
else:
    st.title("Follow your application or question")
    st.info("Open this page with the private link you were given when you applied or asked.")
ui.page_link("pages/public/jobs.py", label="Open jobs", icon=":material/work:")
