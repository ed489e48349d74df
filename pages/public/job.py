"""One job's public page: what it is, how to apply, and the answers about it.

Opened from the board or from a tracked link (`?id=…&utm_source=…&post=…`): the visit is
counted once per browser session with the link's source (a short link has counted it
already, under the id in `visit`), and an application made in this session carries it.
"""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.candidates import applications, questions
from services.people import preferences, privacy
from services.postings import company, listings, tracking
from services.postings.tracking import TrackedSource

actor = ui.current_actor()
job = listings.public_job(actor, st.query_params.get("id", ""))
if job is None:
    st.title("Job not found")
    st.info("This job is not on the board. It may have been filled, or the link may be incomplete.")
    ui.page_link("pages/public/jobs.py", label="See the open jobs", icon=":material/work:")
    st.stop()

source = TrackedSource.from_params(st.query_params.to_dict())
if source.is_direct:  # came from the board: keep what brought this session to it
    source = st.session_state.get("tracked-source", source)
else:
    st.session_state["tracked-source"] = source
session_id = tracking.counted_visit(st.query_params.get("visit")) or ui.browser_session_id()
visit_key = f"visited:{job.id}"
if job.open and visit_key not in st.session_state:
    tracking.record_visit(actor, job.id, session_id, source)
    st.session_state[visit_key] = True

# Back to the board as the visitor left it (its search, filters and page came along in the URL).
board = {key: value for key in ("q", "department", "location", "remote", "type", "page")
         if (value := str(st.query_params.get(key, ""))[:100])}
ui.page_link("pages/public/jobs.py", label="All open jobs", icon=":material/arrow_back:",
             query_params={**source.query(), **board})
st.title(ui.plain(job.title))
st.caption(" · ".join(ui.plain(fact) for fact in job.facts))
applied = st.session_state.get(f"applied:{job.id}")
if job.open and applied is None:  # on a phone the form is under the whole description
    st.markdown("[:material/arrow_downward: Apply for this job](#apply)")
if not job.open:
    st.warning("This job is closed and no longer takes applications.")

about, apply_col = st.columns([3, 2], gap="large")
with about:
    st.markdown(ui.staff_markdown(job.description) or "_No description yet._")  # recruiters write Markdown
    with st.expander("Share this job", icon=":material/share:"):
        st.caption("The link keeps where you found the job, so it is credited to the right post.")
        st.code(tracking.public_job_link(job.id, source), language=None, wrap_lines=True)

    answered = questions.faq(actor, job_id=job.id, page_size=10)
    st.subheader("Questions about this job", anchor=False)
    for item in answered.rows:
        with st.expander(ui.plain(item.body)):
            st.text(item.answer)
    if not answered.total:
        st.caption("No questions about this job have been answered yet.")
    ui.page_link("pages/public/faq.py", label="Ask a question about this job", icon=":material/help:",
                 query_params={"job": str(job.id)})

with apply_col:
    if job.open and actor.role in (Role.ALUMNUS, Role.EMPLOYEE):
        with st.container(border=True):
            st.markdown("**Know someone for this job?**")
            ui.page_link("pages/referrer/refer.py", label="Refer someone for this job",
                         icon=":material/person_add:", query_params={"job": str(job.id)})
    if applied is not None:
        if applied.duplicate:
            st.info("You have already applied to this job with this email address, so we kept "
                    "your first application. Follow it with the link from your first confirmation.")
        else:
            st.success("Thank you, your application has been received.")
            st.markdown("Keep this private link to follow your application; anyone with it can "
                        "see its status:")
            st.code(applied.follow_link, language=None, wrap_lines=True)
            if applied.confirming_referral:
                st.info("You applied through a personal referral link. We have emailed you a link "
                        "to confirm your email address: your referrer is credited once you open it.",
                        icon=":material/mark_email_unread:")
            if actor.signed_in:
                ui.page_link("pages/candidate/my_applications.py", label="My applications",
                             icon=":material/description:")
            elif st.button("Create an account to follow your applications", icon=":material/person_add:"):
                st.session_state["sign-up-name"], st.session_state["sign-up-email"] = applied.applicant
                st.switch_page("pages/public/create_account.py")
    elif job.open:
        st.subheader("Apply", anchor="apply")
        prefs = preferences.preferences(actor)
        profile = company.company_profile(actor)
        problems = ui.FieldProblems()  # the summary of a failed submit, above the form
        with st.form(f"apply:{job.id}"):
            name = st.text_input("Full name", value=actor.full_name or "", max_chars=120)
            problems.under("full_name")
            email = st.text_input("Email", value=actor.email or "", max_chars=254)
            problems.under("email")
            phone = st.text_input("Phone (optional)", max_chars=25)
            problems.under("phone")
            linkedin = st.text_input("LinkedIn profile (optional)", max_chars=300,
                                     placeholder="https://www.linkedin.com/in/your-name")
            problems.under("linkedin_url")
            resume = st.file_uploader("Résumé (PDF or Word .docx, up to 5 MB, optional)",
                                      type=["pdf", "docx"], max_upload_size=5)
            problems.under("resume")
            note = st.text_area("A short note (optional)", max_chars=2000, height=100)
            problems.under("note")
            with st.expander("Privacy notice"):
                st.markdown(privacy.privacy_notice(ui.plain(profile.name if profile else "The company"),
                                                   prefs.candidate_retention_days))
            consent = st.checkbox("I have read the privacy notice and agree to my data being used "
                                  "for this application.")
            problems.under("consent")
            problems.by_button()
            sent = st.form_submit_button("Send application", type="primary", icon=":material/send:")
        if sent:
            form = applications.ApplicationForm(name, email, phone, linkedin, note, consent)
            upload = applications.Resume(resume.name, resume.getvalue()) if resume else None
            try:
                outcome = applications.apply(actor, job.id, form, upload, source)
            except UserFacingError as error:
                problems.show(error)  # the form keeps everything typed
            else:
                st.session_state[f"applied:{job.id}"] = outcome
                st.rerun()
