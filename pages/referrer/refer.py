"""Refer someone (alumni and employees): the referral form and one's personal referral links."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.candidates import applications
from services.referrals import submission

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
st.title("Refer someone")
st.caption("Know someone who would do well here? Tell us about them. The first referral of a person "
           "counts for the reward for a while; a later one is still recorded.")

links = submission.my_links(actor)  # one read for the form's jobs and the links below


def _send() -> None:
    """The Send button's callback: the referral is recorded before the page runs again, so one
    run shows what became of it (sent from the page's run, it took a second run)."""
    typed = st.session_state
    job, resume = typed["refer-job"], typed["refer-resume"]
    form = submission.ReferralForm(typed["refer-name"], typed["refer-email"], typed["refer-linkedin"],
                                   job.id if job else None, typed["refer-relationship"],
                                   typed["refer-reason"], typed["refer-agreed"])
    upload = applications.Resume(resume.name, resume.getvalue()) if resume else None
    try:
        typed["referred"] = submission.refer(actor, form, upload)
    except UserFacingError as error:
        typed["refer-refused"] = error


done = st.session_state.get("referred")
if done is not None:
    (st.info if done.outcome != "owner" else st.success)(done.message)
    if done.notice and done.notice_emailed:
        st.caption("We have emailed them the privacy notice the law requires.")
    elif done.notice:
        st.warning("We could not email them, so please forward this privacy notice to the person you "
                   "referred (the law requires that they get it):")
        st.code(done.notice, language=None, wrap_lines=True)
    if st.button("Refer someone else", icon=":material/person_add:"):
        del st.session_state["referred"]
        st.rerun()
else:
    choices = [None, *(job for job, _ in links.jobs)]
    # `refer?job=…` (from a job's page) chooses that job; an id that is not an open job is ignored.
    wanted = st.query_params.get("job", "")
    chosen = next((i for i, j in enumerate(choices) if j is not None and str(j.id) == wanted), 0)
    if wanted and not chosen:
        st.info("The job in your link is not open for referrals now. Choose another below, or "
                "refer them for anything that fits.")
    problems = ui.FieldProblems()  # the summary of a refused referral, above the form
    with st.form("refer"):
        st.text_input("Their full name", max_chars=120, key="refer-name")
        problems.under("full_name")
        st.text_input("Their email", max_chars=254, key="refer-email")
        problems.under("email")
        st.text_input("Their LinkedIn profile (optional)", max_chars=300,
                      placeholder="https://www.linkedin.com/in/their-name", key="refer-linkedin")
        problems.under("linkedin_url")
        st.selectbox("Job", choices, index=chosen, format_func=lambda j: "Open to anything" if j is None
                     else f"{j.title} ({j.department})", key="refer-job")
        problems.under("job_id")
        st.text_area("How you know them", max_chars=1000, height=80, key="refer-relationship",
                     placeholder="e.g. We worked together in the data team for two years.")
        problems.under("relationship")
        st.text_area("Why they fit", max_chars=2000, height=120, key="refer-reason")
        problems.under("reason")
        st.file_uploader("Their résumé (PDF or Word .docx, up to 5 MB, optional)",
                         type=["pdf", "docx"], max_upload_size=5, key="refer-resume")
        problems.under("resume")
        st.checkbox("They agreed to be referred and to us contacting them.", key="refer-agreed")
        problems.under("candidate_agreed")
        problems.by_button()
        st.form_submit_button("Send referral", type="primary", icon=":material/send:", on_click=_send)
    if refused := st.session_state.pop("refer-refused", None):
        problems.show(refused)  # the form keeps everything typed

st.subheader("Your referral links", anchor=False)
st.caption("Share these: whoever applies through them becomes your referral automatically. "
           "Use the copy button at the right of each link.")
st.markdown("**The whole job board**")
st.code(links.board, language=None)
for job, link in links.jobs:
    st.markdown(f"**{ui.plain(job.title)}** · {ui.plain(job.department)}")
    st.code(link, language=None)
