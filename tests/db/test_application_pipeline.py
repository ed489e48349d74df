"""Working the pipeline for applications (issue 16): moving one or many, rejecting with a
reason and a message to the candidate, notes and history, the funnel, and a referred
application taking its referral along; per role, against the real database."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.candidates import applications
from services.candidates.applications import ApplicationForm, MoveForm
from services.people import email_confirmation
from services.postings import editing
from services.postings.tracking import TrackedSource
from services.referrals import outreach_mail, pipeline, recognition
from tests.db.rows import add_account, add_job, confirmation_token, count

VISITOR = Actor.visitor()


def _apply(job: UUID, email: str, name: str = "Ada Lovelace",
           source: TrackedSource | None = None) -> tuple[UUID, str]:
    applied = applications.apply(VISITOR, job, ApplicationForm(name, email, consent=True), None,
                                 source or TrackedSource())
    return applied.application_id, applied.follow_link.split("application=")[1]


@pytest.fixture
def desk(clean_db):
    """A published job with three applications, a recruiter, an admin, an alumnus and the
    candidate (with an account) of the first application."""
    job = add_job(clean_db, "Data Engineer")
    people = {"recruiter": add_account(clean_db, "rita@example.com", "Rita Recruiter", Role.RECRUITER),
              "admin": add_account(clean_db, "adam@example.com", "Adam Admin", Role.ADMIN),
              "alumnus": add_account(clean_db, "al@example.com", "Al Alumnus", Role.ALUMNUS),
              "candidate": add_account(clean_db, "ada@example.com", "Ada Lovelace", Role.CANDIDATE)}
    apps = [_apply(job, e, n) for e, n in (("ada@example.com", "Ada Lovelace"),
                                           ("alan@example.com", "Alan Turing"),
                                           ("grace@example.com", "Grace Hopper"))]
    with clean_db.begin() as conn:  # Ada's account is hers: her candidate row names it
        conn.execute(sa.text("update public.candidates set user_id = :u where email = 'ada@example.com'"),
                     {"u": people["candidate"].user_id})
    return {"job": job, "apps": [a for a, _ in apps], "tokens": [t for _, t in apps], **people}


def _status(engine, application_id: UUID) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("select status::text from public.applications where id = :id"),
                            {"id": application_id}).scalar_one()


# --- moving ------------------------------------------------------------------------------------

def test_a_recruiter_moves_many_at_once_and_each_move_is_in_the_history_and_audit_log(clean_db, desk):
    moved = applications.move(desk["recruiter"], MoveForm(tuple(desk["apps"][:2]), "reviewing"))
    assert (moved.moved, moved.unchanged, moved.emails_queued) == (2, 0, 0)
    assert [_status(clean_db, a) for a in desk["apps"]] == ["reviewing", "reviewing", "new"]
    history = applications.record(desk["recruiter"], desk["apps"][0]).events
    assert [(e.from_status, e.to_status, e.changed_by) for e in history] == [
        (None, "new", None), ("new", "reviewing", "Rita Recruiter")]
    assert history[1].describe() == "Applied → Screening"
    assert count(clean_db, "public.audit_log where action = 'application.moved'") == 2
    again = applications.move(desk["admin"], MoveForm(tuple(desk["apps"][:2]), "reviewing"))
    assert (again.moved, again.unchanged) == (0, 2)  # already there: nothing recorded twice
    assert len(applications.record(desk["admin"], desk["apps"][0]).events) == 2


def test_the_applicants_tab_shows_time_in_stage_and_filters_by_stage(clean_db, desk):
    applications.move(desk["recruiter"], MoveForm((desk["apps"][1],), "interviewing"))
    page = editing.applicants(desk["recruiter"], desk["job"], stage="interviewing")
    assert [a.application_id for a in page.rows] == [desk["apps"][1]] and page.total == 1
    assert page.rows[0].stage_since >= page.rows[0].applied_at
    assert editing.applicants(desk["recruiter"], desk["job"]).total == 3


@pytest.mark.parametrize(("form", "words"), [
    (MoveForm((), "reviewing"), "Choose at least one applicant"),
    (MoveForm((UUID(int=1),), None), "Choose the stage"),
    (MoveForm((UUID(int=1),), "rejected"), "Choose why they are not selected"),
    (MoveForm((UUID(int=1),), "rejected", "other", "   "), "Say in a few words why"),
    (MoveForm((UUID(int=1),), "rejected", "salary", "", "x" * 2001), "at most 2,000 characters"),
    (MoveForm((UUID(int=1),), "reviewing", None, "", "Hi\x00"), "Message to the candidate"),
])
def test_bad_moves_say_what_to_fix(clean_db, desk, form, words):
    with pytest.raises(ValidationError, match=words):
        applications.move(desk["recruiter"], form)


@pytest.mark.parametrize(("call", "words"), [
    ("select * from private.move_applications(array[:app]::uuid[], 'rejected', null, null, null, false)",
     "Choose why"),
    ("select * from private.move_applications(array[:app]::uuid[], 'rejected', 'other', ' ', null, false)",
     "Say in a few words"),
    ("select * from private.move_applications(array[:app]::uuid[], 'sideways', null, null, null, false)",
     "Choose the stage"),
    ("select * from private.move_applications(array[:app]::uuid[], 'reviewing', 'salary', null, null, false)",
     "reason goes with a rejection only"),
])
def test_the_database_checks_the_same_for_any_caller(clean_db, desk, call, words):
    with pytest.raises(sa.exc.DBAPIError, match=words), transaction(desk["recruiter"]) as conn:
        conn.execute(sa.text(call), {"app": desk["apps"][0]})


@pytest.mark.parametrize("who", ["visitor", "candidate", "alumnus"])
def test_only_staff_move_applications_read_their_history_or_notes(clean_db, desk, who):
    actor = VISITOR if who == "visitor" else desk[who]
    if who == "visitor":  # the function is not even open to visitors
        with pytest.raises(sa.exc.DBAPIError), transaction(actor) as conn:
            conn.execute(sa.text("select * from private.move_applications(array[:a]::uuid[], 'hired',"
                                 " null, null, null, false)"), {"a": desk["apps"][0]})
    else:
        with pytest.raises(PermissionDenied, match="Only recruiters and admins"):
            applications.move(actor, MoveForm((desk["apps"][0],), "hired"))
        with pytest.raises(PermissionDenied):
            applications.record(actor, desk["apps"][0])
        with pytest.raises(PermissionDenied):
            applications.add_note(actor, desk["apps"][0], "Sneaky note")
        assert applications.funnel(actor, desk["job"]) == []
    assert _status(clean_db, desk["apps"][0]) == "new"
    with transaction(actor) as conn:  # nothing of the history or the notes shows through
        for table in ("application_events", "application_notes"):
            try:
                assert conn.execute(sa.text(f"select count(*) from public.{table}")).scalar() == 0  # noqa: S608
            except sa.exc.ProgrammingError:
                assert who == "visitor"
                break


def test_history_and_notes_cannot_be_written_or_forged_directly(clean_db, desk):
    app = desk["apps"][0]
    for who in ("recruiter", "admin"):
        with pytest.raises(sa.exc.DBAPIError), transaction(desk[who]) as conn:
            conn.execute(sa.text("insert into public.application_events (application_id, to_status)"
                                 " values (:a, 'hired')"), {"a": app})
        with pytest.raises(sa.exc.DBAPIError), transaction(desk[who]) as conn:  # in another's name
            conn.execute(sa.text("insert into public.application_notes (application_id, body, author_id)"
                                 " values (:a, 'x', :other)"), {"a": app, "other": desk["alumnus"].user_id})
    for who in ("candidate", "alumnus"):
        with pytest.raises(sa.exc.DBAPIError), transaction(desk[who]) as conn:
            conn.execute(sa.text("insert into public.application_notes (application_id, body)"
                                 " values (:a, 'x')"), {"a": app})


# --- rejecting, with a message to the candidate --------------------------------------------------

def test_a_rejection_keeps_its_reason_for_staff_and_shows_the_candidate_only_the_message(clean_db, desk):
    words = "Thank you, <b>Ada</b>. We chose another candidate."
    applications.move(desk["recruiter"], MoveForm((desk["apps"][0],), "rejected", "other",
                                                  "Wanted more Rust", words))
    [_, rejected] = applications.record(desk["admin"], desk["apps"][0]).events
    assert (rejected.reason, rejected.reason_detail, rejected.message) == ("other", "Wanted more Rust", words)
    assert rejected.describe() == "Applied → Rejected (Wanted more Rust)"
    followed = applications.application_by_link(VISITOR, desk["tokens"][0])
    assert (followed.stage, followed.message) == ("Not selected", words)
    [mine] = applications.my_applications(desk["candidate"])
    assert (mine.stage, mine.message) == ("Not selected", words)
    with transaction(desk["candidate"]) as conn:  # the reason is nowhere the candidate can read
        row = conn.execute(sa.text("select * from public.applications")).one()._mapping
    assert "Wanted more Rust" not in str(dict(row))
    assert count(clean_db, "public.outreach_emails") == 0  # no SMTP: stored and shown, not queued


def test_with_smtp_the_message_is_queued_and_the_worker_emails_it_once(clean_db, desk, smtp):
    moved = applications.move(desk["recruiter"], MoveForm(tuple(desk["apps"][:2]), "rejected", "salary",
                                                          "", "We went another way. Good luck!"))
    assert moved.emails_queued == 2
    with clean_db.connect() as conn:
        ids = conn.execute(sa.text("select id from public.outreach_emails"
                                   " where kind = 'candidate_message' order by created_at")).scalars().all()
    assert [outreach_mail.deliver(i) for i in ids] == ["sent", "sent"]
    assert outreach_mail.deliver(ids[0]) != "sent"  # never twice
    assert sorted(to[0] for to, _ in smtp.messages) == ["ada@example.com", "alan@example.com"]
    body = smtp.bodies()[0]
    assert "We went another way. Good luck!" in body and "Not selected" in body
    assert "salary" not in body.lower()  # the reason stays with the recruiters


# --- notes ---------------------------------------------------------------------------------------

def test_staff_add_notes_in_their_own_name_and_bad_notes_are_refused(clean_db, desk):
    applications.add_note(desk["recruiter"], desk["apps"][2], "Strong SQL; ask about Spark.")
    applications.add_note(desk["admin"], desk["apps"][2], "Agreed.")
    notes = applications.record(desk["recruiter"], desk["apps"][2]).notes
    assert [(n.author, n.body) for n in notes] == [("Adam Admin", "Agreed."),
                                                    ("Rita Recruiter", "Strong SQL; ask about Spark.")]
    with pytest.raises(ValidationError, match="Write the note first"):
        applications.add_note(desk["recruiter"], desk["apps"][2], "   ")
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        applications.add_note(desk["recruiter"], desk["apps"][2], "x" * 2001)
    assert len(applications.record(desk["recruiter"], desk["apps"][2]).notes) == 2


# --- the funnel ----------------------------------------------------------------------------------

def test_the_funnel_counts_who_reached_each_stage_per_source(clean_db, desk):
    linkedin = _apply(desk["job"], "lin@example.com", "Lin Kedin", TrackedSource("linkedin"))[0]
    for app, stages in ((desk["apps"][0], ("reviewing", "interviewing", "rejected")),
                        (desk["apps"][1], ("reviewing",)), (linkedin, ("reviewing", "interviewing",
                                                                       "offer", "hired"))):
        for stage in stages:
            applications.move(desk["recruiter"], MoveForm((app,), stage, "skills" if stage == "rejected"
                                                          else None))
    rows = {r.source: r for r in applications.funnel(desk["recruiter"], desk["job"])}
    direct, lin = rows["direct"], rows["linkedin"]
    assert (direct.applied, direct.reviewing, direct.interviewing, direct.offer, direct.hired,
            direct.rejected) == (3, 2, 1, 0, 0, 1)
    assert (lin.applied, lin.reviewing, lin.interviewing, lin.offer, lin.hired) == (1, 1, 1, 1, 1)
    total = applications.funnel_total(list(rows.values()))
    assert (total.applied, total.hired) == (4, 1)


# --- a referred application takes its referral along ---------------------------------------------

def test_moving_a_referred_application_moves_the_referrers_timeline_and_points(clean_db, desk):
    with transaction(desk["alumnus"]) as conn:
        code = conn.execute(sa.text("select private.my_referral_code()")).scalar_one()
    app, _ = _apply(desk["job"], "ref@example.com", "Rea Ferred", TrackedSource(referral_code=code))
    # the link's referral credits its referrer once the candidate confirms the email is theirs
    email_confirmation.confirm(confirmation_token(clean_db, "ref@example.com"))
    with clean_db.connect() as conn:
        referral = conn.execute(sa.text("select id from public.referrals where application_id = :a"),
                                {"a": app}).scalar_one()
    before = recognition.my_recognition(desk["alumnus"]).points
    for stage in ("reviewing", "interviewing", "hired"):
        applications.move(desk["recruiter"], MoveForm((app,), stage))
    timeline = pipeline.timelines(desk["alumnus"], [referral])[referral]
    assert [e.stage for e in timeline] == ["submitted", "reviewing", "interviewing", "hired"]
    assert pipeline.timelines(desk["recruiter"], [referral])[referral][-1].changed_by == "Rita Recruiter"
    notes, unread = pipeline.notifications(desk["alumnus"])
    assert unread == 3 and "Interviewing to Hired" in notes[0].message
    assert recognition.my_recognition(desk["alumnus"]).points == before + 30 + 100
    assert count(clean_db, "public.hires where referral_id = :r and application_id = :a",
                 r=referral, a=app) == 1  # one hire, credited to the referral
    applications.move(desk["recruiter"], MoveForm((app,), "rejected", "position_closed"))
    assert pipeline.timelines(desk["recruiter"], [referral])[referral][-1].stage == "not_selected"
    assert count(clean_db, "public.hires where application_id = :a", a=app) == 0
