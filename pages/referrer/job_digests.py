"""Job digests recruiters sent to alumni, and, for alumni, saying they would come back."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.referrals import outreach

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
st.title("Job digests")
st.caption("Open jobs the recruiters picked for alumni: refer someone you know, or come back yourself.")

if actor.role is Role.ALUMNUS:
    with st.container(border=True):
        st.subheader("Would you come back?", anchor=False)
        interest = outreach.my_interest(actor)
        if interest:
            st.success(f"You told the recruiters you would come back (updated "
                       f"{interest.updated_at:%d %b %Y}).")
        with st.form("boomerang-interest"):
            areas = st.text_input("Areas or roles you would come back for (optional)",
                                  value=interest.areas if interest else "", max_chars=300)
            notes = st.text_area("A note for the recruiters (optional)",
                                 value=interest.notes if interest else "", max_chars=2000)
            save = st.form_submit_button("Update" if interest else "I would come back")
        if save:
            try:
                outreach.say_interested(actor, areas, notes)
            except UserFacingError as error:
                ui.show_error(error)
            else:
                st.rerun()
        if interest and st.button("I am no longer interested"):
            outreach.withdraw_interest(actor)
            st.rerun()

sent = outreach.digests(actor)
if not sent:
    st.info("No job digest has been sent yet.")
for digest in sent:
    with st.container(border=True):
        st.markdown(f"**{digest.sent_at:%d %b %Y}** · {ui.plain(', '.join(digest.departments))}")
        if digest.note:
            st.text(digest.note)
        for job in digest.jobs:
            st.markdown(f"- [{ui.plain(job.title)}](/job?id={job.id}) · "
                        f"{ui.plain(job.department)}, {ui.plain(job.location)}")
