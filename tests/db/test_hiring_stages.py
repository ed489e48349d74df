"""Hiring stages configurable per company (issue 16): the defaults, the database's checks,
who reads and changes them, and a move to a stage switched off refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import shared
from portal.db import act_as
from portal.errors import PermissionDenied, UserFacingError, ValidationError
from portal.models import Actor, Role
from services.candidates import applications, hiring_stages
from services.candidates.applications import ApplicationForm, MoveForm
from services.candidates.hiring_stages import StageEdit
from services.postings.tracking import TrackedSource
from services.referrals import outreach_mail
from tests.db.rows import add_account, add_job


def _edits(**changes: tuple[str, str, bool]) -> list[StageEdit]:
    return [StageEdit(s, *changes.get(s, (hiring_stages.DEFAULT_LABELS[s],
                                          hiring_stages.DEFAULT_CANDIDATE_LABELS[s], True)))
            for s in hiring_stages.STAGES]


@pytest.fixture
def people(clean_db):
    return {"admin": add_account(clean_db, "adam@example.com", "Adam", Role.ADMIN),
            "recruiter": add_account(clean_db, "rita@example.com", "Rita", Role.RECRUITER),
            "candidate": add_account(clean_db, "ada@example.com", "Ada", Role.CANDIDATE)}


def test_the_defaults_are_seeded_and_everyone_reads_the_candidate_words(clean_db, people):
    words = applications.stage_labels(people["recruiter"])
    assert words.staff == applications.STAGE_LABELS
    assert words.candidate == applications.CANDIDATE_STAGE_LABELS
    assert words.in_use == hiring_stages.STAGES
    assert applications.stage_labels(Actor.visitor()).candidate["rejected"] == "Not selected"


def test_the_staff_names_are_shared_among_staff_only(clean_db, people):
    with pytest.raises(ValueError, match="recruiters and admins"):
        shared.staff_view(people["candidate"], "hiring_stages", lambda conn: None)
    assert applications.stage_labels(people["candidate"]).staff == applications.STAGE_LABELS  # defaults


def test_an_admin_renames_a_stage_and_every_reader_sees_it_at_once(clean_db, people):
    changed = hiring_stages.save_stages(people["admin"], _edits(
        reviewing=("Phone screen", "Talking to us", True), offer=("Offer", "Offer made", False)))
    assert changed == 2
    words = applications.stage_labels(people["recruiter"])
    assert words.staff["reviewing"] == "Phone screen"
    assert "offer" not in words.in_use
    assert applications.candidate_stage("reviewing") == "Talking to us"
    with clean_db.connect() as conn:
        logged = conn.execute(sa.text(
            "select subject_id, actor_id from public.audit_log where action = 'settings.hiring_stage'"
            " order by subject_id")).all()
    assert logged == [("offer", people["admin"].user_id), ("reviewing", people["admin"].user_id)]


def test_the_candidate_reads_the_new_words_on_the_follow_link_and_in_emails(clean_db, people):
    job = add_job(clean_db, "Data Engineer")
    applied = applications.apply(Actor.visitor(), job, ApplicationForm("Ada L", "ada@example.com",
                                                                       consent=True), None, TrackedSource())
    applications.move(people["recruiter"], MoveForm((applied.application_id,), "reviewing"))
    hiring_stages.save_stages(people["admin"], _edits(reviewing=("Phone screen", "Talking to us", True)))
    token = applied.follow_link.split("application=")[1]
    assert applications.application_by_link(Actor.visitor(), token).stage == "Talking to us"
    _, text = outreach_mail.candidate_message_email("Ada L", "Data Engineer", "reviewing", "Hello")
    assert "Your application for Data Engineer: Talking to us." in text


def test_only_admins_change_the_stages(clean_db, people):
    for who in ("recruiter", "candidate"):
        with pytest.raises(PermissionDenied):
            hiring_stages.save_stages(people[who], _edits())
    with clean_db.connect() as conn:  # Row-level security refuses a recruiter too
        with conn.begin():
            act_as(conn, people["recruiter"])
            touched = conn.execute(sa.text("update public.hiring_stages set label = 'X'")).rowcount
    assert touched == 0


def test_every_problem_is_named_under_its_field(clean_db, people):
    with pytest.raises(ValidationError) as refused:
        hiring_stages.save_stages(people["admin"], _edits(
            reviewing=("  ", "Being reviewed", True), interviewing=("Applied", "x" * 41, True),
            hired=("Hired", "Hired", False)))
    assert [f for f, _ in refused.value.problems] == [
        "label:reviewing", "candidate_label:interviewing", "in_use:hired", "label:interviewing"]


@pytest.mark.parametrize(("sql", "constraint"), [
    ("update public.hiring_stages set in_use = false where status = 'hired'", "required_in_use"),
    ("update public.hiring_stages set label = ' Screening' where status = 'reviewing'", "label_tidy"),
    ("update public.hiring_stages set label = '' where status = 'reviewing'", "label_tidy"),
    ("update public.hiring_stages set candidate_label = repeat('x', 41) where status = 'offer'",
     "candidate_label_tidy"),
    ("update public.hiring_stages set label = 'Applied' where status = 'reviewing'", "label_key"),
])
def test_the_database_checks_the_stages(clean_db, sql, constraint):
    with pytest.raises(sa.exc.IntegrityError, match=constraint), clean_db.begin() as conn:
        conn.execute(sa.text(sql))


def test_two_stages_swap_names_in_one_statement(clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.hiring_stages set label = case status"
                             " when 'offer' then 'Interviewing' else 'Offer' end"
                             " where status in ('offer', 'interviewing')"))


def test_a_move_to_a_stage_switched_off_is_refused_and_one_already_there_keeps_it(clean_db, people):
    job = add_job(clean_db, "Data Engineer")
    first, second = (applications.apply(Actor.visitor(), job, ApplicationForm(n, e, consent=True), None,
                                        TrackedSource()).application_id
                     for n, e in (("Ada L", "ada@example.com"), ("Alan T", "alan@example.com")))
    applications.move(people["recruiter"], MoveForm((first,), "offer"))
    hiring_stages.save_stages(people["admin"], _edits(offer=("Offer", "Offer made", False)))
    with pytest.raises(UserFacingError, match="“Offer” is switched off"):
        applications.move(people["recruiter"], MoveForm((second,), "offer"))
    with clean_db.connect() as conn:
        rows = conn.execute(sa.text("select id, status::text as status from public.applications"))
        stages = {r.id: r.status for r in rows}
    assert stages == {first: "offer", second: "new"}
    # The one at Offer moves on as usual.
    applications.move(people["recruiter"], MoveForm((first,), "hired"))
