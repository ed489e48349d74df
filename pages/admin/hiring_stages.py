"""Hiring stages: what recruiters and candidates call each stage of an application, and
which optional stages the company uses."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.candidates import hiring_stages
from services.candidates.hiring_stages import StageEdit

actor = ui.require_role(Role.ADMIN)
st.title("Hiring stages")
st.caption("Every application goes through these stages. Name them as your company does, for "
           "recruiters and for candidates (candidates see their name on their follow link, under "
           "My applications and in messages). Screening, Interviewing and Offer can be switched "
           "off; an application already at a stage switched off keeps it until it is moved on.")

if notice := st.session_state.pop("hiring-stages-saved", None):
    st.success(notice, icon=":material/check:")

words = hiring_stages.stage_labels(actor)
problems = ui.FieldProblems()
with st.form("hiring-stages"):
    typed: list[StageEdit] = []
    for status in hiring_stages.STAGES:
        default = hiring_stages.DEFAULT_LABELS[status]
        st.markdown(f"**{default}**" + ("" if status in hiring_stages.OPTIONAL else " · always in use"))
        staff_col, candidate_col, use_col = st.columns([3, 3, 1], vertical_alignment="bottom")
        with staff_col:
            label = st.text_input("Name for recruiters", words.staff[status], max_chars=80,
                                  key=f"stage-label:{status}")
            problems.under(f"label:{status}")
        with candidate_col:
            candidate = st.text_input("Name for candidates", words.candidate[status], max_chars=80,
                                      key=f"stage-candidate:{status}")
            problems.under(f"candidate_label:{status}")
        with use_col:
            in_use = st.checkbox("In use", status in words.in_use, key=f"stage-use:{status}",
                                 disabled=status not in hiring_stages.OPTIONAL)
            problems.under(f"in_use:{status}")
        typed.append(StageEdit(status, label, candidate, in_use))
    problems.by_button()
    saved = st.form_submit_button("Save stages", type="primary")

if saved:
    try:
        changed = hiring_stages.save_stages(actor, typed)
    except UserFacingError as error:
        problems.show(error)
    else:
        st.session_state["hiring-stages-saved"] = (
            f"Saved: {counted(changed, 'stage')} changed. Recruiters and candidates see the new "
            "names from now on." if changed else "Nothing changed: the stages were already so.")
        st.rerun()
