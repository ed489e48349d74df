"""Working the pipeline through AppTest (issue 16): the posting's Applicants tab moves
applicants, rejects with a reason and a message, keeps notes and history, shows time in
stage and the funnel; the candidate reads the message on My applications and the follow link."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import Actor
from services.candidates import applications
from services.candidates.applications import ApplicationForm, MoveForm
from services.postings.tracking import TrackedSource
from tests.app.helpers import (
    POSTING,
    assert_errors,
    assert_no_exception,
    demo_job_id,
    open_page,
    signed_in,
    texts,
)
from tests.support import make_pdf


def _statuses(engine, job_id) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            "select c.email, a.status::text from public.applications a"
            " join public.candidates c on c.id = a.candidate_id where a.job_id = :j"), {"j": job_id}).all())


def _newest(engine, job_id, n: int) -> list:
    """The first `n` applications the tab lists (newest first)."""
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "select id from public.applications where job_id = :j order by created_at desc, id limit :n"),
            {"j": job_id, "n": n}).scalars())


def _emails(engine, ids) -> list[str]:
    with engine.connect() as conn:
        return [conn.execute(sa.text("select c.email from public.applications a join public.candidates c"
                                     " on c.id = a.candidate_id where a.id = :id"), {"id": i}).scalar_one()
                for i in ids]


def test_a_recruiter_moves_and_rejects_applicants_from_the_applicants_tab(demo_db):
    job_id = demo_job_id(demo_db)
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(job_id))
    table = [d.value for d in at.dataframe if "In stage" in d.value.columns][0]
    assert {"Name", "Stage", "In stage", "Source"} <= set(table.columns)
    funnel = [d.value for d in at.dataframe if "Screening" in d.value.columns][0]
    assert funnel["Applied"].sum() >= len(table)
    submit = f"FormSubmitter:move-applicants:{job_id}:0-Move"

    at.button(key=submit).click().run()  # nothing chosen: both problems at once
    assert_errors(at, "Choose at least one applicant")
    assert "Choose the stage" in at.error[0].value

    newest = _newest(demo_db, job_id, 2)
    at.multiselect(key=f"who:{job_id}:0").set_value(newest)
    at.selectbox(key=f"stage:{job_id}:0").set_value("rejected")
    at.selectbox(key=f"reason:{job_id}:0").set_value("other")
    at.text_area(key=f"message:{job_id}:0").input("Thank you for your time, <b>really</b>.")
    at.button(key=submit).click().run()
    assert_errors(at, "Say in a few words why")  # "other" with no words
    assert at.text_area(key=f"message:{job_id}:0").value == "Thank you for your time, <b>really</b>."
    assert len(at.multiselect(key=f"who:{job_id}:0").value) == 2  # nothing typed is lost

    at.text_input(key=f"detail:{job_id}:0").input("Looking for more on-call experience")
    at.button(key=submit).click().run()
    assert_no_exception(at)
    assert "Moved 2 applicants to Rejected." in texts(at)
    assert [_statuses(demo_db, job_id)[e] for e in _emails(demo_db, newest)] == ["rejected"] * 2
    assert at.multiselect(key=f"who:{job_id}:1").value == []  # a done move starts a fresh form
    at.button(key=f"everyone:{job_id}").click().run()
    at.button(key=f"template:{job_id}").click().run()
    assert len(at.multiselect(key=f"who:{job_id}:1").value) == min(len(table), 20)
    assert at.text_area(key=f"message:{job_id}:1").value == applications.REJECTION_TEMPLATE


def test_notes_and_history_per_applicant_and_an_over_long_note_is_refused(demo_db):
    job_id = demo_job_id(demo_db)
    [first] = _newest(demo_db, job_id, 1)
    recruiter = signed_in("recruiter@example.com")
    applications.move(recruiter, MoveForm((first,), "interviewing"))
    at = open_page(POSTING, recruiter, id=str(job_id))
    at.selectbox(key=f"record:{job_id}").set_value(first).run()
    assert_no_exception(at)
    history = [t.value for t in at.text]
    assert any("→ Interviewing · Jordan Rivera" in line for line in history), history
    long_note = "Great call. " * 200
    at.text_area(key=f"note-body:{first}:0").input(long_note)
    at.button(key=f"FormSubmitter:note:{first}:0-Add note").click().run()
    assert_errors(at, "Note: at most 2,000 characters")
    assert at.text_area(key=f"note-body:{first}:0").value == long_note  # kept to shorten
    at.text_area(key=f"note-body:{first}:0").input("Great call; <i>strong</i> on Postgres.")
    at.button(key=f"FormSubmitter:note:{first}:0-Add note").click().run()
    assert_no_exception(at)
    assert "Great call; <i>strong</i> on Postgres." in [t.value for t in at.text]  # as text
    assert at.text_area(key=f"note-body:{first}:1").value == ""  # a fresh form for the next


def test_the_candidate_reads_the_message_on_my_applications_and_the_follow_link(demo_db):
    job_id = demo_job_id(demo_db)
    sam = signed_in("candidate@example.com")
    applied = applications.apply(Actor.visitor(), job_id, ApplicationForm(
        "Sam Okafor", "candidate@example.com", consent=True), None, TrackedSource())
    with demo_db.begin() as conn:  # the application is Sam's own account's
        conn.execute(sa.text("update public.candidates set user_id = :u where lower(email) = :e"),
                     {"u": sam.user_id, "e": "candidate@example.com"})
    words = "We chose someone else this time. **Thank you**, Sam."
    applications.move(signed_in("recruiter@example.com"),
                      MoveForm((applied.application_id,), "rejected", "another_candidate", "", words))
    mine = open_page("pages/candidate/my_applications.py", sam)
    assert words in [t.value for t in mine.text]  # as text: no bold, no markup
    row = mine.dataframe[0].value
    assert "Not selected" in set(row["Status"])
    assert "closer fit" not in texts(mine)  # the reason stays with the recruiters
    visitor = applications.apply(Actor.visitor(), job_id, ApplicationForm(
        "Lin Park", "lin.park@example.org", consent=True), None, TrackedSource())
    follow_token = visitor.follow_link.split("application=")[1]
    follow = open_page("pages/public/follow.py", application=follow_token)
    assert [m.value for m in follow.metric] == ["Received"] and not follow.text  # no message yet
    applications.move(signed_in("admin@example.com"),
                      MoveForm((visitor.application_id,), "rejected", "skills", "", words))
    follow = open_page("pages/public/follow.py", application=follow_token)
    assert [m.value for m in follow.metric] == ["Not selected"]
    assert words in [t.value for t in follow.text]
    assert "Skills" not in texts(follow)


def test_an_applicants_resume_is_downloaded_through_the_audited_path(demo_db):
    job_id = demo_job_id(demo_db)
    applied = applications.apply(Actor.visitor(), job_id, ApplicationForm(
        "Ines Duarte", "ines.duarte@kestrel-mail.com", consent=True),
        applications.Resume("Ines CV.pdf", make_pdf("Ines Duarte, engineer")), TrackedSource())
    at = open_page(POSTING, signed_in("recruiter@example.com"), id=str(job_id))
    # the newest applicant with a résumé is the one chosen first under "Résumé of"
    at.button(key=f"applicant-resume:{applied.application_id}").click().run()
    assert_no_exception(at)
    assert [b.label for b in at.get("download_button")] == ["Download Ines CV.pdf"]
    with demo_db.connect() as conn:
        audited = conn.execute(sa.text("select count(*) from public.audit_log"
                                       " where action = 'application.resume_downloaded'"
                                       " and subject_id = :a"),
                               {"a": str(applied.application_id)}).scalar_one()
    assert audited == 1
