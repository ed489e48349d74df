"""One candidate (recruiters and admins), reached from Candidates: `candidate?id=…` gathers
everything the portal holds on the person, read at once: each application with its stage,
history, notes and résumé, the referrals about them, the questions they asked, and one
timeline of it all. What candidates, referrers and recruiters wrote is shown as text."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.candidates import applications, questions
from services.candidates import profile as profiles
from services.postings import editing as postings
from services.referrals import stages as referral_stages
from services.savings.report import source_label

LIST_PAGE = "pages/recruiting/candidates.py"

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
stage_words = applications.stage_labels(actor)  # the company's names for the stages
referral_words = referral_stages.referral_stage_words(stage_words, for_candidate=False)
ui.page_link(LIST_PAGE, label="All candidates", icon=":material/arrow_back:")
person = profiles.profile(actor, st.query_params.get("id", ""))
if person is None:
    st.title("Candidate not found")
    st.info("This candidate does not exist any more, or the link is incomplete. Open them from "
            "Candidates.")
    st.stop()

if notice := st.session_state.pop("candidate-merged", None):
    st.success(ui.plain(notice))
st.title(ui.plain(person.full_name))
facts = [person.email, person.phone or "", person.linkedin_url or "",
         "has a candidate account" if person.has_account else "no candidate account",
         f"known since {ui.day_text(person.created_at)}"]
st.caption(" · ".join(ui.plain(f) for f in facts if f))
if person.same_linkedin:
    with st.container(border=True):
        st.markdown("**The same LinkedIn profile is on another candidate**, probably this person under "
                    "another email:")
        for other in person.same_linkedin:
            link, merge = st.columns([3, 2], vertical_alignment="center")
            with link:
                ui.page_link("pages/recruiting/candidate.py",
                             label=ui.plain(f"{other.full_name} ({other.email})"),
                             query_params={"id": str(other.candidate_id)}, icon=":material/person:")
            with merge.popover("Merge into this profile", icon=":material/merge:"):
                st.caption(f"{ui.plain(other.full_name)}'s applications, referrals and questions move "
                           f"to {ui.plain(person.full_name)} ({ui.plain(person.email)}), and "
                           f"{ui.plain(other.email)} is removed. This cannot be undone.")
                if st.button("Merge them", type="primary", key=f"merge:{other.candidate_id}"):
                    try:
                        merged = profiles.merge(actor, person.candidate_id, other.candidate_id)
                    except UserFacingError as error:
                        ui.show_error(error)
                    else:
                        st.session_state["candidate-merged"] = merged.describe(
                            f"{other.full_name} ({other.email})", "this profile")
                        st.rerun()

apps_tab, referrals_tab, questions_tab, timeline_tab = st.tabs([
    f"Applications ({len(person.applications)})", f"Referrals ({len(person.referrals)})",
    f"Questions ({len(person.questions)})", "Timeline"])


def source_words(a: profiles.ProfileApplication) -> str:
    return f"{source_label(a.source)}: {a.agency_name}" if a.agency_name else source_label(a.source)


def notes_form(application_id) -> None:
    ui.note_form(f"profile-note:{application_id}",
                 lambda body: applications.add_note(actor, application_id, body))


def resume_download(a: profiles.ProfileApplication) -> None:
    """The application's résumé, read through the portal's résumé download (audited)."""
    ui.stored_file_download(f"profile-resume:{a.application_id}", f"Get résumé ({a.resume_name})",
                            lambda: postings.resume(actor, a.application_id))


with apps_tab:
    if not person.applications:
        st.info("No applications: they are known from a referral or a question only.")
    else:
        st.dataframe([{"Job": a.job_title, "Stage": stage_words.label(a.status),
                       "Source": source_words(a), "Applied": ui.day_text(a.applied_at),
                       "In stage": applications.time_in_stage(a.stage_since),
                       "Résumé": a.resume_name or "—"} for a in person.applications], hide_index=True)
        st.caption("Move them from Candidates or from the job's Applicants tab.")
    for place, a in enumerate(person.applications):  # the newest open, the others a click away
        with st.expander(f"{ui.plain(a.job_title)} · {stage_words.label(a.status)}",
                         expanded=place == 0, icon=":material/work:"):
            ui.page_link("pages/recruiting/posting.py", label="Open the posting",
                         query_params={"id": str(a.job_id)}, icon=":material/open_in_new:")
            if a.agency_name:
                fee = f"{a.currency} {a.agency_fee:,.2f}" if a.agency_fee is not None else "—"
                st.markdown(f"**Agency:** {ui.plain(a.agency_name)} · **fee:** {fee} (counted in the "
                            "savings report if they are hired)")
            history, notes = st.columns(2, gap="large")
            with history:
                st.markdown("**History**")
                for event in a.events:
                    st.text(f"{ui.day_text(event.changed_at, with_time=True)} · {event.describe(stage_words)}"
                            + (f" · {event.changed_by}" if event.changed_by else ""))
                if a.note:
                    st.markdown("**What they wrote when applying**")
                    st.text(a.note)
                if a.message:
                    st.markdown(f"**Last message to the candidate** ({ui.day_text(a.message_at)})")
                    st.text(a.message)
                if a.resume_name:
                    resume_download(a)
            with notes:
                st.markdown("**Notes** (recruiters only)")
                notes_form(a.application_id)
                for note in a.notes:
                    st.caption(f"{ui.day_text(note.created_at, with_time=True)} · "
                               f"{ui.plain(note.author or 'Former staff')}")
                    st.text(note.body)
                if not a.notes:
                    st.caption("No notes yet.")

with referrals_tab:
    if not person.referrals:
        st.info("Nobody has referred them.")
    else:
        st.dataframe([{"Job": r.job_title or "Open to anything",
                       "Referred by": r.referrer_name or "Former user",
                       "Stage": referral_words.name(r.stage),
                       "Counts": referral_stages.STAFF_OUTCOME_NOTES.get(r.outcome, ""),
                       "Referred": ui.day_text(r.created_at), "Relationship": r.relationship or "—",
                       "Why them": r.reason or "—", "Résumé": r.resume_name or "—"}
                      for r in person.referrals], hide_index=True)

with questions_tab:
    if not person.questions:
        st.info("No questions asked with this email or from their account.")
    else:
        st.dataframe([{"Asked": ui.day_text(q.asked_at, with_time=True), "Job": q.job_title or "—",
                       "Status": questions.STATUS_LABELS.get(q.status, ""), "Question": q.body,
                       "Answer": q.answer or "—"} for q in person.questions], hide_index=True)

with timeline_tab:
    moments = []
    for a in person.applications:
        moments += [(e.changed_at, f"{a.job_title}: {e.describe(stage_words)}", e.changed_by or "")
                    for e in a.events]
        moments += [(n.created_at, f"{a.job_title}: note added", n.author or "Former staff") for n in a.notes]
    for r in person.referrals:
        job_title = r.job_title or "Open to anything"
        moments.append((r.created_at, f"Referred for {job_title}", r.referrer_name or "Former user"))
        moments += [(s.changed_at, f"Referral for {job_title}: "
                     + (f"{referral_words.name(s.from_stage)} → " if s.from_stage else "")
                     + referral_words.name(s.to_stage), "") for s in r.steps if s.from_stage]
    moments += [(q.asked_at, f"Asked a question{' about ' + q.job_title if q.job_title else ''}", "")
                for q in person.questions]
    moments.sort(key=lambda m: m[0], reverse=True)
    st.dataframe([{"When": ui.day_text(at, with_time=True), "What": what, "By": by or "—"}
                  for at, what, by in moments], hide_index=True)
    st.caption("Newest first: stage moves, notes, referrals and questions, from every job.")
