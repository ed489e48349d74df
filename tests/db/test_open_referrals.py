"""Referrals "open to anything" against the real database (issue 16): they wait in the
recruiters' inbox until one links them to a published job, which makes them an application
for that job whose source is the referral; the referral then follows that application. Who
may link, a person already a candidate for the job, jobs not published, and two recruiters
linking one referral at once."""

from __future__ import annotations

import threading
import time
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore
from services.candidates import across_jobs, applications
from services.candidates.applications import ApplicationForm, MoveForm
from services.postings import editing
from services.postings.tracking import TrackedSource
from services.referrals import my_referrals, open_referrals, pipeline
from services.referrals import submission as referring
from services.referrals.stages import CREDITED
from tests.db.rows import add_account, add_job, count, refer_confirmed
from tests.support import make_pdf

VISITOR = Actor.visitor()


def _refer(referrer: Actor, email: str = "dana@example.com", name: str = "Dana Kowalski",
           store=None, resume: bool = False) -> UUID:
    form = referring.ReferralForm(name, email, "", None, "We built the design system together.",
                                  "The most careful product designer I know.", True)
    upload = applications.Resume("dana.pdf", make_pdf("Dana")) if resume else None
    return refer_confirmed(referrer, form, upload, store).referral_id  # confirmed by its candidate


@pytest.fixture
def desk(clean_db, tmp_path):
    """Two recruiters, an admin, a referrer with an open referral (with a résumé), a candidate
    account, a published job and a draft."""
    store = LocalStore(tmp_path)
    people = {"rita": add_account(clean_db, "rita@example.com", "Rita Recruiter", Role.RECRUITER),
              "ravi": add_account(clean_db, "ravi@example.com", "Ravi Recruiter", Role.RECRUITER),
              "admin": add_account(clean_db, "adam@example.com", "Adam Admin", Role.ADMIN),
              "priya": add_account(clean_db, "priya@example.com", "Priya Patel", Role.ALUMNUS),
              "candidate": add_account(clean_db, "carl@example.com", "Carl Candidate", Role.CANDIDATE)}
    job = add_job(clean_db, "Product Designer", department="Design", referral_bonus=1500)
    draft = add_job(clean_db, "Brand Designer", "draft", department="Design")
    referral = _refer(people["priya"], store=store, resume=True)
    return {**people, "job": job, "draft": draft, "referral": referral, "store": store}


def _referral(engine, referral: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select job_id, application_id, stage::text as stage from public.referrals where id = :id"),
            {"id": referral}).one()


def _application(engine, application: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select job_id, source, status::text as status, resume_path, resume_name"
            " from public.applications where id = :id"), {"id": application}).one()


# --- the inbox -------------------------------------------------------------------------------------

def test_the_inbox_lists_open_referrals_oldest_first_with_the_published_jobs(clean_db, desk):
    later = _refer(desk["priya"], "eli@example.com", "Eli Novak")
    _refer_for_job = referring.refer(desk["priya"], referring.ReferralForm(
        "Fay Olsen", "fay@example.com", "", desk["job"], "Colleagues for years.",
        "She ships careful work on time.", True))
    waiting = open_referrals.inbox(desk["rita"])
    assert [r.id for r in waiting.referrals] == [desk["referral"], later] and waiting.total == 2
    assert waiting.total_text == "2"
    first = waiting.referrals[0]
    assert (first.candidate_name, first.referrer_name, first.resume_name, first.stage) == (
        "Dana Kowalski", "Priya Patel", "dana.pdf", "submitted")
    assert first.relationship == "We built the design system together."
    assert waiting.jobs == [(desk["job"], "Product Designer (Design)")]  # not the draft
    assert _refer_for_job.referral_id not in [r.id for r in waiting.referrals]
    data = open_referrals.resume(desk["rita"], desk["referral"], desk["store"])
    assert data.file_name == "dana.pdf" and data.data[:4] == b"%PDF"
    assert count(clean_db, "public.audit_log where action = 'referral.resume_downloaded'") == 1


def test_the_inbox_counts_up_to_a_bound(clean_db, desk, monkeypatch):
    _refer(desk["priya"], "eli@example.com", "Eli Novak")
    monkeypatch.setattr(open_referrals, "COUNT_UP_TO", 2)
    waiting = open_referrals.inbox(desk["rita"], limit=1)
    assert (len(waiting.referrals), waiting.total, waiting.total_text) == (1, 2, "2+")


@pytest.mark.parametrize("who", ["priya", "candidate", "visitor"])
def test_only_staff_see_the_inbox_and_the_referrals_resume(clean_db, desk, who):
    actor = VISITOR if who == "visitor" else desk[who]
    with pytest.raises(PermissionDenied):
        open_referrals.inbox(actor)
    with pytest.raises(PermissionDenied):
        open_referrals.resume(actor, desk["referral"], desk["store"])


# --- linking ---------------------------------------------------------------------------------------

def test_linking_makes_an_application_whose_source_is_the_referral(clean_db, desk):
    linked = open_referrals.link(desk["rita"], desk["referral"], desk["job"])
    assert not linked.reused and linked.status == "new"
    assert linked.describe() == ("Linked Dana Kowalski to Product Designer: they are on its Applicants "
                                 "tab at Applied, with the referral as their source. The referrer was told.")
    application = _application(clean_db, linked.application_id)
    assert (application.job_id, application.source, application.status) == (desk["job"], "referral", "new")
    assert application.resume_name == "dana.pdf" and application.resume_path  # the résumé goes along
    assert editing.resume(desk["rita"], linked.application_id, desk["store"]).data[:4] == b"%PDF"
    assert tuple(_referral(clean_db, desk["referral"])) == (desk["job"], linked.application_id, "submitted")
    # on the job's Applicants tab and on Candidates, like every other application
    assert [(a.full_name, a.source) for a in editing.applicants(desk["rita"], desk["job"]).rows] == [
        ("Dana Kowalski", "referral")]
    found = across_jobs.search(desk["rita"], across_jobs.Filters(source="referral"))
    assert [r.application_id for r in found.rows] == [linked.application_id]
    history = applications.record(desk["rita"], linked.application_id).events
    assert [(e.from_status, e.to_status, e.changed_by) for e in history] == [(None, "new", "Rita Recruiter")]
    assert count(clean_db, "public.audit_log where action = 'referral.linked_to_job' and subject_id = :r",
                 r=str(desk["referral"])) == 1
    assert open_referrals.inbox(desk["rita"]).total == 0  # no longer waiting
    # the referrer sees the job and is told
    mine = my_referrals.my_referrals(desk["priya"])
    assert [r.job_title for r in mine.referrals.rows] == ["Product Designer"]
    assert mine.notifications[0].message == ("Dana Kowalski, whom you referred open to anything, is now "
                                             "a candidate for Product Designer.")
    detail = my_referrals.my_referral(desk["priya"], desk["referral"]).detail
    assert detail.referral.job_title == "Product Designer"


def test_the_referral_follows_its_application_to_the_hire_and_the_bonus(clean_db, desk):
    linked = open_referrals.link(desk["admin"], desk["referral"], desk["job"])
    applications.move(desk["rita"], MoveForm((linked.application_id,), "interviewing"))
    timeline = pipeline.timelines(desk["priya"], [desk["referral"]])[desk["referral"]]
    assert [e.stage for e in timeline] == ["submitted", "interviewing"]
    points = my_referrals.my_referral(desk["priya"], desk["referral"]).detail.points
    assert points == pipeline.referral_points("owner", True, "interviewing")
    applications.move(desk["rita"], MoveForm((linked.application_id,), "hired"))
    assert _referral(clean_db, desk["referral"]).stage == "hired"
    with clean_db.connect() as conn:
        hire = conn.execute(sa.text(
            "select source::text, referral_id, referral_bonus from public.hires where application_id = :a"),
            {"a": linked.application_id}).one()
        credited = conn.execute(sa.text(
            f"select count(*) from public.referrals r where r.id = :r and {CREDITED}"),  # noqa: S608
            {"r": desk["referral"]}).scalar_one()
    assert (hire.source, hire.referral_id) == ("referral", desk["referral"])
    assert float(hire.referral_bonus) == 1500.0
    assert credited == 1


def test_a_referral_moved_on_its_board_starts_its_application_at_that_stage(clean_db, desk):
    pipeline.move(desk["rita"], desk["referral"], "reviewing")
    linked = open_referrals.link(desk["rita"], desk["referral"], desk["job"])
    assert linked.status == "reviewing" and "at Screening" in linked.describe()
    assert _referral(clean_db, desk["referral"]).stage == "reviewing"
    events = applications.record(desk["rita"], linked.application_id).events
    assert [e.describe() for e in events] == ["Applied", "Applied → Screening"]


def test_a_person_already_a_candidate_for_the_job_keeps_that_application(clean_db, desk):
    applied = applications.apply(VISITOR, desk["job"], ApplicationForm(
        "Dana Kowalski", "dana@example.com", consent=True), None, TrackedSource(source="linkedin"))
    applications.move(desk["rita"], MoveForm((applied.application_id,), "interviewing"))
    linked = open_referrals.link(desk["rita"], desk["referral"], desk["job"])
    assert linked.reused and linked.application_id == applied.application_id
    assert linked.describe().startswith("Dana Kowalski was already a candidate for Product Designer "
                                        "(at Interviewing): the referral is linked to that application")
    application = _application(clean_db, applied.application_id)
    assert (application.source, application.status) == ("linkedin", "interviewing")  # kept
    assert application.resume_name == "dana.pdf"  # it had none: the referral's is added
    assert count(clean_db, "public.applications where candidate_id = (select candidate_id from"
                 " public.referrals where id = :r)", r=desk["referral"]) == 1
    # the referral takes the application's stage, and follows it from now on
    assert tuple(_referral(clean_db, desk["referral"])) == (
        desk["job"], applied.application_id, "interviewing")
    applications.move(desk["rita"], MoveForm((applied.application_id,), "offer"))
    assert _referral(clean_db, desk["referral"]).stage == "offer"


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_job_not_published_is_refused_and_nothing_changes(clean_db, desk, status):
    job = add_job(clean_db, "Brand Lead", status, department="Design")
    with pytest.raises(ValidationError, match="Brand Lead is not published: link them to a published job"):
        open_referrals.link(desk["rita"], desk["referral"], job)
    assert tuple(_referral(clean_db, desk["referral"])) == (None, None, "submitted")
    assert count(clean_db, "public.applications") == 0
    assert count(clean_db, "public.audit_log where action = 'referral.linked_to_job'") == 0


def test_bad_input_is_refused_in_words(clean_db, desk):
    with pytest.raises(ValidationError, match="Choose the job") as refused:
        open_referrals.link(desk["rita"], desk["referral"], None)
    assert refused.value.problems == (("job", "Choose the job to link them to."),)
    with pytest.raises(NotFound, match="does not exist any more"):
        open_referrals.link(desk["rita"], desk["referral"], "00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound, match="does not exist any more"):
        open_referrals.link(desk["rita"], "00000000-0000-0000-0000-000000000000", desk["job"])
    pipeline.move(desk["rita"], desk["referral"], "not_selected")
    with pytest.raises(ValidationError, match=r"closed \(Rejected\)"):
        open_referrals.link(desk["rita"], desk["referral"], desk["job"])


def test_a_linked_referral_cannot_be_linked_again(clean_db, desk):
    other = add_job(clean_db, "Design Lead", department="Design")
    open_referrals.link(desk["rita"], desk["referral"], desk["job"])
    with pytest.raises(ValidationError, match="Dana Kowalski is already linked to Product Designer"):
        open_referrals.link(desk["ravi"], desk["referral"], other)
    assert count(clean_db, "public.applications") == 1


@pytest.mark.parametrize("who", ["priya", "candidate", "visitor"])
def test_only_recruiters_and_admins_link(clean_db, desk, who):
    actor = VISITOR if who == "visitor" else desk[who]
    with pytest.raises(PermissionDenied, match="Only recruiters and admins can link"):
        open_referrals.link(actor, desk["referral"], desk["job"])
    assert tuple(_referral(clean_db, desk["referral"])) == (None, None, "submitted")
    # and not around the function: referrers may not set a referral's job themselves
    if who != "visitor":
        with transaction(actor) as conn:
            changed = conn.execute(sa.text("update public.referrals set job_id = :j where id = :r"),
                                   {"j": desk["job"], "r": desk["referral"]}).rowcount
        assert changed == 0


def test_visitors_may_not_even_call_the_function(clean_db, desk):
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied for function"), \
            transaction(VISITOR) as conn:
        conn.execute(sa.text("select * from private.link_referral_to_job(:r, :j)"),
                     {"r": desk["referral"], "j": desk["job"]})


def test_two_recruiters_linking_one_referral_at_once_one_wins(clean_db, desk):
    other = add_job(clean_db, "Design Lead", department="Design")
    outcome = {}

    def second() -> None:
        try:
            outcome["linked"] = open_referrals.link(desk["ravi"], desk["referral"], other)
        except ValidationError as error:
            outcome["refused"] = str(error)

    with transaction(desk["rita"]) as conn:  # Rita links first and has not committed yet
        conn.execute(sa.text("select * from private.link_referral_to_job(:r, :j)"),
                     {"r": desk["referral"], "j": desk["job"]})
        racer = threading.Thread(target=second)
        racer.start()
        for _ in range(100):  # Ravi waits on the referral Rita holds
            with clean_db.connect() as watch:
                if watch.execute(sa.text(
                        "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                        " and query like '%link_referral_to_job%'")).scalar_one():
                    break
            time.sleep(0.05)
    racer.join(timeout=30)
    assert outcome == {"refused": "Dana Kowalski is already linked to Product Designer: nothing changed."}
    assert tuple(_referral(clean_db, desk["referral"]))[:1] == (desk["job"],)
    assert count(clean_db, "public.applications") == 1
    assert count(clean_db, "public.audit_log where action = 'referral.linked_to_job'") == 1
