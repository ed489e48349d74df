"""My applications (candidates)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.candidates import applications

actor = ui.require_role(Role.CANDIDATE)
st.title("My applications")
mine = applications.my_applications(actor)
if not mine:
    st.info("You have not applied to any job yet. Browse the open jobs to find one.")
    ui.page_link("pages/public/jobs.py", label="Open jobs", icon="💼")
else:
    st.dataframe(
        [{"Job": a.job_title, "Department": a.department,
          "Status": a.stage, "Applied": ui.day_text(a.created_at)}
         for a in mine],
        hide_index=True,
    )
    for a in mine:
        if a.message:
            with st.container(border=True):
                st.markdown(f"**About {ui.plain(a.job_title)}** · a message from the recruiting team · "
                            f"{ui.day_text(a.message_at)}")
                st.text(a.message)  # a recruiter's words, shown as written
