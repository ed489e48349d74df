"""Post approvals: submitted social posts, the longest waiting first, each checked against
the guidelines again now, to approve or reject with a comment. Nobody approves their own."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.social import posts as social_posts
from services.social import review as post_review

PAGE_SIZE = 10

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Post approvals")
screen = post_review.approvals_screen(actor, ui.page_number("approvals"), PAGE_SIZE)  # one transaction
approver = "approver" in screen.roles
if approver:
    st.caption("Posts wait here after their author submits them, the longest waiting first. Each is "
               "checked against the social-media guidelines again as you look at it. Approve it, or "
               "reject it saying what to change: the author sees your comment on the posting's page.")
else:
    st.caption("Posts waiting for approval, the longest waiting first. Only approvers and admins approve "
               "or reject them; an admin gives the approver role.")
if done := st.session_state.pop("approvals-done", None):
    st.success(done)

page = screen.waiting
if not page.total:
    st.info("Nothing is waiting for approval.")
channels, rules = screen.channels, screen.guidelines

for waiting in page.rows:
    post = waiting.post
    channel = channels[post.channel_id]
    result = post_review.check(post.body, channel, rules)
    with st.container(border=True):
        st.subheader(ui.plain(f"{post.job_title} · {post.channel}"))
        st.caption(ui.plain(f"Topic: {post.topic or 'none'} · by {post.author or 'a former colleague'} · "
                            f"{channel.audience} audience · waiting since "
                            f"{waiting.submitted_at:%d %b %Y, %H:%M}"))
        text_col, check_col = st.columns([3, 2], gap="medium")
        with text_col:
            # the post as text, what the check found marked in it
            st.markdown(ui.highlighted(post.body, [(f.start, f.end, "red" if f.blocking else "orange")
                                                   for f in result.findings]))
        with check_col:
            ui.post_check(result, post.channel)
            if not result.findings:
                st.success("Follows the guidelines.", icon=":material/check:")
        with st.expander("History"):
            st.dataframe([{"When": t.at, "From": social_posts.STATUS_LABELS.get(t.from_status or "", "—"),
                           "To": social_posts.STATUS_LABELS[t.to_status], "By": t.actor or "—",
                           "Comment": t.comment or ""} for t in screen.histories[post.id]],
                         hide_index=True,
                         column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")})
        if not approver:
            continue
        if post.author_id == actor.user_id:
            st.info("You wrote this post, so another approver approves it: nobody approves their own post.",
                    icon=":material/person_off:")
            continue
        with st.form(f"review:{post.id}"):
            comment = st.text_area("Comment (required to reject)", key=f"comment:{post.id}", max_chars=2000,
                                   placeholder="What should the author change?")
            approve_col, reject_col, _ = st.columns([1, 1, 3])
            approved = approve_col.form_submit_button("Approve", type="primary", icon=":material/check:")
            rejected = reject_col.form_submit_button("Reject", icon=":material/undo:")
        try:
            if approved:
                post_review.approve(actor, post.id)
                st.session_state["approvals-done"] = f"Approved the post for {post.channel}."
                st.rerun()
            if rejected:
                if not comment.strip():
                    raise UserFacingError("Say in the comment why the post is rejected and what to change, "
                                          "then press Reject again.")
                social_posts.reject(actor, post.id, comment)
                st.session_state["approvals-done"] = (f"Rejected the post for {post.channel}; its author "
                                                      "sees why.")
                st.rerun()
        except UserFacingError as error:
            ui.show_error(error)  # the comment stays typed

if page.total:
    ui.pagination(page, "approvals")
