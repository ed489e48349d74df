"""Post topics: the approved topics social posts belong to. Approvers and admins add,
retire and restore them; everyone else on staff reads the list."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.social import review
from services.social import topics as social_topics

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Post topics")
keeper = "approver" in review.social_roles(actor)
st.caption("Every social post belongs to an approved topic; a post cannot be submitted without one. "
           + ("Retire a topic to stop offering it for new posts: posts that have it keep it."
              if keeper else "Only approvers and admins add, retire and restore topics."))
if done := st.session_state.pop("topics-done", None):
    st.success(done)

topics = social_topics.topics(actor, include_retired=True)
if not topics:
    st.info("No topics yet." + (" Add the first one below." if keeper else ""))
else:
    st.dataframe([{"Topic": t.name, "Status": "Retired" if t.retired else "Offered", "Posts": t.posts,
                   "Approved by": t.approved_by or "—", "Since": ui.day_text(t.approved_at),
                   "Retired": ui.day_text(t.retired_at)} for t in topics], hide_index=True)

if keeper:
    add_col, change_col = st.columns(2, gap="large")
    with add_col, st.form("add-topic"):
        st.markdown("**Add a topic**")
        name = st.text_input("Topic", max_chars=80, placeholder="e.g. Graduate programme")
        if st.form_submit_button("Add topic", type="primary", icon=":material/add:"):
            try:
                social_topics.add_topic(actor, name)
            except UserFacingError as error:
                ui.show_error(error)  # the name stays typed
            else:
                st.session_state["topics-done"] = "Topic added: " + ui.plain(" ".join(name.split())) + "."
                st.rerun()
    if topics:
        with change_col, st.form("retire-topic"):
            st.markdown("**Retire or restore a topic**")
            topic = st.selectbox("Topic", topics, format_func=lambda t: t.name + (" (retired)" if t.retired
                                                                                   else ""))
            retire_col, restore_col = st.columns(2)
            retire = retire_col.form_submit_button("Retire", icon=":material/archive:")
            restore = restore_col.form_submit_button("Restore", icon=":material/unarchive:")
            if retire or restore:
                if retire == topic.retired:  # retire a retired topic, or restore an offered one
                    state = "retired" if topic.retired else "offered"
                    st.info(ui.plain(f"“{topic.name}” is already {state}."))
                else:
                    try:
                        change = social_topics.retire_topic if retire else social_topics.restore_topic
                        change(actor, topic.id)
                    except UserFacingError as error:
                        ui.show_error(error)
                    else:
                        st.session_state["topics-done"] = ui.plain(
                            f"“{topic.name}” is {'retired' if retire else 'offered again'}.")
                        st.rerun()
