"""Privacy & data: one person's data exported or erased on request, the retention period
for unsuccessful candidates, and the target time for answering questions."""

import json

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.words import counted
from services.people import preferences, privacy

actor = ui.require_role(Role.ADMIN)
st.title("Privacy & data")

st.subheader("One person's data", anchor=False)
st.caption("Everything the portal holds about an email address: candidate record, applications "
           "with résumés, referrals of them, questions they asked, their account, and as an alumnus "
           "or employee their roster entry, referrals, links, bonuses, notifications and choices. "
           "The same as `portal privacy export|erase EMAIL`.")
email = st.text_input("Email address", max_chars=254, key="privacy-email")
export_col, erase_col = st.columns(2)
if export_col.button("Prepare export", icon=":material/download:"):
    try:
        st.session_state["privacy-export"] = privacy.export_for(actor, email)
    except UserFacingError as error:
        ui.show_error(error)
if (data := st.session_state.get("privacy-export")) and data["email"] == email.strip().lower():
    st.success(privacy.found(data))
    st.download_button("Download JSON", json.dumps(data, indent=2, ensure_ascii=False, default=str),
                       file_name=f"personal-data-{data['email']}.json", mime="application/json",
                       icon=":material/file_download:", on_click="ignore")
with erase_col.popover("Erase…", icon=":material/delete_forever:"):
    st.write("Erases the candidate record, applications, résumés, referrals of them and the "
             "questions they asked; for an alumnus or employee, their roster entry, referral links, "
             "notifications and choices. Published answers stay, without the asker; the referrals "
             "they made and bonuses paid to them stay too. This cannot be undone.")
    if st.button("Erase this person's data", type="primary"):
        try:
            erasure = privacy.erase_for(actor, email)
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.session_state.pop("privacy-export", None)
            (st.success if erasure.anything else st.info)(erasure.summary())

st.subheader("Settings", anchor=False)
current = preferences.preferences(actor)
with st.form("privacy-settings"):
    retention = st.number_input("Keep unsuccessful candidates' data for (days)", 30, 3650,
                                value=current.candidate_retention_days, step=30,
                                help="After the last step of an application that was not successful.")
    target = st.number_input("Answer questions within (hours)", 1, 720, value=current.answer_target_hours,
                             help="Questions waiting longer are marked overdue in the inbox.")
    saved = st.form_submit_button("Save settings", type="primary")
if saved:
    try:
        preferences.save(actor, answer_target_hours=int(target), candidate_retention_days=int(retention))
    except UserFacingError as error:
        ui.show_error(error)
    else:
        st.toast("Settings saved.", icon=":material/check:")

st.caption("Candidates past the retention period are erased every night by the background "
           "worker (`portal worker`), or by `portal privacy purge` from cron, or now:")
if st.button("Erase expired candidates now", icon=":material/auto_delete:"):
    try:
        erasure = privacy.purge_for(actor)
    except UserFacingError as error:
        ui.show_error(error)
    else:
        st.success(f"Erased {counted(erasure.candidates, 'candidate')} past the retention period.")
