"""One hiring pipeline for every candidate (issue 16), against the real database: a referral for
a job is at once an application in that job's pipeline (on its Applicants tab, in its funnel and
on Candidates across jobs), the application is the one truth for its stage (a move on the
Referrals board moves the application, a move of the application moves the referral, and the
database refuses a stage that disagrees), a referral for no job still moves on its own, and the
backfill of migration 20261223100000 gives the referrals made before it their applications
without changing the programme's figures."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction, translate_refusals
from portal.errors import ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore
from services import demo
from services.candidates import across_jobs, applications
from services.candidates.applications import ApplicationForm, MoveForm
from services.people import privacy
from services.postings import editing
from services.postings.tracking import TrackedSource
from services.referrals import pipeline
from services.referrals import submission as referring
from tests.db.rows import add_account, add_job, count, refer_confirmed
from tests.support import make_pdf

VISITOR = Actor.visitor()


@pytest.fixture
def desk(clean_db, tmp_path):
    """A recruiter, an admin, an alumna and an employee who refer, two published jobs."""
    return {"rita": add_account(clean_db, "rita@example.com", "Rita Recruiter", Role.RECRUITER),
            "admin": add_account(clean_db, "adam@example.com", "Adam Admin", Role.ADMIN),
            "priya": add_account(clean_db, "priya@example.com", "Priya Patel", Role.ALUMNUS),
            "tom": add_account(clean_db, "tom@example.com", "Tom Becker", Role.EMPLOYEE),
            "job": add_job(clean_db, "Product Designer", department="Design", referral_bonus=1500),
            "other_job": add_job(clean_db, "Brand Designer", department="Design"),
            "store": LocalStore(tmp_path)}


def _refer(referrer: Actor, job: UUID | None, store=None, *, resume: bool = False,
           email: str = "dana@example.com") -> referring.Referred:
    form = referring.ReferralForm("Dana Kowalski", email, "", job, "We built the design system together.",
                                  "The most careful product designer I know.", True)
    upload = applications.Resume("dana.pdf", make_pdf("Dana")) if resume else None
    return refer_confirmed(referrer, form, upload, store)  # confirmed by its candidate


def _referral(engine, referral: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select r.job_id, r.application_id, r.stage::text as stage, r.outcome, a.source,"
            " a.status::text as status, a.resume_name"
            " from public.referrals r left join public.applications a on a.id = r.application_id"
            " where r.id = :id"), {"id": referral}).one()


# --- a referral for a job is an application -------------------------------------------------------

def test_an_alumnas_referral_is_on_the_jobs_applicants_and_candidates(clean_db, desk):
    referred = _refer(desk["priya"], desk["job"], desk["store"], resume=True)
    assert referred.outcome == "owner"
    row = _referral(clean_db, referred.referral_id)
    assert row.application_id is not None
    assert (row.source, row.status, row.stage, row.resume_name) == (
        "referral", "new", "submitted", "dana.pdf")
    assert [(a.full_name, a.source) for a in editing.applicants(desk["rita"], desk["job"]).rows] == [
        ("Dana Kowalski", "referral")]
    found = across_jobs.search(desk["rita"], across_jobs.Filters(source="referral"))
    assert [r.application_id for r in found.rows] == [row.application_id]
    assert editing.resume(desk["rita"], row.application_id, desk["store"]).data[:4] == b"%PDF"
    with transaction(desk["rita"]) as conn:
        funnel = conn.execute(sa.text("select source, applied from private.application_funnel(:j)"),
                              {"j": desk["job"]}).all()
    assert [tuple(f) for f in funnel] == [("referral", 1)]
    # a referral open to anything still waits for a job, with no application
    open_one = _refer(desk["tom"], None, email="eli@example.com")
    assert _referral(clean_db, open_one.referral_id).application_id is None


def test_a_second_referral_joins_the_application_and_stays_a_duplicate(clean_db, desk):
    first = _refer(desk["priya"], desk["job"])
    second = _refer(desk["tom"], desk["job"])
    assert second.outcome == "duplicate"
    assert _referral(clean_db, second.referral_id).application_id == \
        _referral(clean_db, first.referral_id).application_id
    assert count(clean_db, "public.applications") == 1
    # for another job: a candidate there too, and still someone else's referral (not "applied first":
    # the application of the first job was made for a referral, not by Dana on her own)
    third = _refer(desk["tom"], desk["other_job"])
    assert third.outcome == "duplicate"
    assert _referral(clean_db, third.referral_id).source == "referral"
    assert count(clean_db, "public.applications") == 2


def test_a_person_who_applied_first_keeps_their_application(clean_db, desk):
    applied = applications.apply(VISITOR, desk["job"], ApplicationForm(
        "Dana Kowalski", "dana@example.com", consent=True), None, TrackedSource(source="linkedin"))
    applications.move(desk["rita"], MoveForm((applied.application_id,), "interviewing"))
    referred = _refer(desk["priya"], desk["job"], desk["store"], resume=True)
    assert referred.outcome == "applied_first"
    row = _referral(clean_db, referred.referral_id)
    assert row.application_id == applied.application_id
    assert (row.source, row.status, row.stage) == ("linkedin", "interviewing", "interviewing")
    assert row.resume_name == "dana.pdf"  # it had none: the referral's is added
    assert count(clean_db, "public.applications") == 1


# --- the application is the one truth for its stage ----------------------------------------------

def test_a_board_move_moves_the_application_and_the_other_way_round(clean_db, desk):
    referred = _refer(desk["priya"], desk["job"])
    application = _referral(clean_db, referred.referral_id).application_id
    pipeline.move(desk["rita"], referred.referral_id, "interviewing")
    assert _referral(clean_db, referred.referral_id)[2:] == (
        "interviewing", "owner", "referral", "interviewing", None)
    events = applications.record(desk["rita"], application).events
    assert [(e.describe(), e.changed_by) for e in events] == [
        ("Applied", "Priya Patel"), ("Applied → Interviewing", "Rita Recruiter")]
    assert count(clean_db, "public.audit_log where action = 'application.moved' and subject_id = :a",
                 a=str(application)) == 1
    timeline = pipeline.timelines(desk["priya"], [referred.referral_id])[referred.referral_id]
    assert [e.stage for e in timeline] == ["submitted", "interviewing"]  # once each: one path

    applications.move(desk["rita"], MoveForm((application,), "offer"))
    assert _referral(clean_db, referred.referral_id).stage == "offer"

    # Not selected is a rejection, and a rejection says why
    with pytest.raises(ValidationError) as refused:
        pipeline.move(desk["rita"], referred.referral_id, "not_selected")
    assert [field for field, _ in refused.value.problems] == ["reason"]
    assert _referral(clean_db, referred.referral_id).stage == "offer"
    pipeline.move(desk["rita"], referred.referral_id, "not_selected", reason="salary")
    assert _referral(clean_db, referred.referral_id)[2:4] == ("not_selected", "owner")
    assert applications.record(desk["rita"], application).events[-1].describe() == \
        "Offer → Rejected (Salary expectations do not match)"
    # a withdrawn candidate is "not selected" on the board already: nothing to move
    applications.move(desk["rita"], MoveForm((application,), "withdrawn"))
    pipeline.move(desk["rita"], referred.referral_id, "not_selected")
    assert _referral(clean_db, referred.referral_id).status == "withdrawn"


def test_the_hire_moved_on_the_board_is_the_applications(clean_db, desk):
    referred = _refer(desk["priya"], desk["job"])
    pipeline.move(desk["rita"], referred.referral_id, "hired")
    with clean_db.connect() as conn:
        hire = conn.execute(sa.text(
            "select source::text, referral_id, application_id, referral_bonus from public.hires")).one()
    assert (hire.source, hire.referral_id) == ("referral", referred.referral_id)
    assert hire.application_id == _referral(clean_db, referred.referral_id).application_id
    assert float(hire.referral_bonus) == 1500.0


@pytest.mark.parametrize("sql", [
    "update public.referrals set stage = 'hired' where id = :r",
    "update public.referrals set stage = 'interviewing', application_id = null where id = :r and false",
    "update public.referrals set application_id = :other where id = :r",
    "update public.referrals set application_id = null where id = :r",
])
def test_a_stage_that_disagrees_with_the_application_is_refused_whoever_writes_it(clean_db, desk, sql):
    referred = _refer(desk["priya"], desk["job"])
    other = applications.apply(VISITOR, desk["other_job"], ApplicationForm(
        "Eli Novak", "eli@example.com", consent=True), None, TrackedSource(source="linkedin"))
    applications.move(desk["rita"], MoveForm((other.application_id,), "offer"))
    params = {"r": referred.referral_id, "other": other.application_id}
    if "and false" in sql:  # a control: a statement that changes nothing is not refused
        with transaction(desk["rita"]) as conn:
            conn.execute(sa.text(sql), params)
        return
    with pytest.raises(ValidationError, match="application for its job"), translate_refusals(), \
            transaction(desk["rita"]) as conn:
        conn.execute(sa.text(sql), params)
    with pytest.raises(sa.exc.DBAPIError), clean_db.begin() as conn:  # nor the owner
        conn.execute(sa.text(sql), params)
    assert _referral(clean_db, referred.referral_id)[1:3] == (
        _referral(clean_db, referred.referral_id).application_id, "submitted")
    # one that agrees goes through (nothing to refuse)
    with transaction(desk["rita"]) as conn:
        conn.execute(sa.text("update public.referrals set stage = 'submitted' where id = :r"), params)


def test_a_referral_for_no_job_moves_on_its_own(clean_db, desk):
    referred = _refer(desk["priya"], None)
    pipeline.move(desk["rita"], referred.referral_id, "reviewing")
    pipeline.move(desk["rita"], referred.referral_id, "not_selected")  # no application, no reason
    assert _referral(clean_db, referred.referral_id)[1:3] == (None, "not_selected")
    assert count(clean_db, "public.applications") == 0


def test_erasing_a_referred_candidate_erases_the_application_too(clean_db, desk):
    referred = _refer(desk["priya"], desk["job"], desk["store"], resume=True)
    pipeline.move(desk["rita"], referred.referral_id, "interviewing")
    erasure = privacy.erase_for(desk["admin"], "dana@example.com")
    assert (erasure.candidates, erasure.referrals) == (1, 1)
    assert count(clean_db, "public.applications") == 0
    assert count(clean_db, "public.referrals") == 0
    assert count(clean_db, "public.candidates") == 0


# --- the backfill ----------------------------------------------------------------------------------

FIGURES = {
    "referrer totals": "select referrer_id::text, referrals, interviews, hires from public.referrer_totals"
                       " where referrals <> 0 or interviews <> 0 or hires <> 0",
    "stage counts": "select stage::text, referrals from public.referral_stage_counts where referrals <> 0",
    "job counts": "select job_id::text, stage::text, referrals from public.referral_job_counts"
                  " where referrals <> 0",
    "hires": "select source::text, count(*), sum(referral_bonus), sum(first_year_salary) from public.hires"
             " group by 1",
    "scores": "select referrer_id::text, points, badges from private.referrer_scores()",
    "payouts": "select referral_id::text, amount, paid_at from public.referral_payouts",
}


WAITING = "select count(*) from public.referrals where job_id is not null and application_id is null"


def _figures(conn) -> dict[str, list[tuple]]:
    return {name: sorted(tuple(map(str, row)) for row in conn.execute(sa.text(sql)).all())
            for name, sql in FIGURES.items()}


def test_the_backfill_gives_the_demos_referrals_their_applications_and_keeps_the_figures(
        engine, monkeypatch):
    from tests.support import truncate_all

    truncate_all(engine)
    monkeypatch.setattr(demo, "referrals_into_applications", lambda conn: None)
    demo.load_demo()  # the demo as a database before the migration held it
    with engine.begin() as conn:
        before = _figures(conn)
        stages = dict(conn.execute(sa.text("select id, stage::text from public.referrals")).all())
        waiting = conn.execute(sa.text(WAITING)).scalar()
        applied = conn.execute(sa.text("select count(*) from public.applications")).scalar()
        done = conn.execute(sa.text("select * from private.referrals_into_applications()")).one()
        after = _figures(conn)
        left = conn.execute(sa.text(WAITING)).scalar()
        disagree = conn.execute(sa.text(
            "select count(*) from public.referrals r join public.applications a on a.id = r.application_id"
            " where r.stage <> private.referral_stage_of(a.status)")).scalar()
        stages_after = dict(conn.execute(sa.text("select id, stage::text from public.referrals")).all())
        # each new application's history is its referral's, step by step
        histories = conn.execute(sa.text(
            """
            select r.id,
                   array(select e.to_status::text from public.application_events e
                          where e.application_id = r.application_id order by e.changed_at, e.id) as steps,
                   array(select private.application_status_of(s.to_stage)::text
                           from public.referral_stage_events s
                          where s.referral_id = r.id order by s.changed_at, s.id) as referral_steps
            from public.referrals r join public.applications a on a.id = r.application_id
            where a.source = 'referral' and a.created_at = r.created_at
            """)).all()
        unlinked_hires = conn.execute(sa.text(
            "select count(*) from public.hires h join public.referrals r on r.id = h.referral_id"
            " where r.application_id is not null and h.application_id is distinct from r.application_id"
        )).scalar()
        again = conn.execute(sa.text("select * from private.referrals_into_applications()")).one()
    assert waiting == 41 and left == 0 and disagree == 0
    assert unlinked_hires == 0  # a referral's hire is its application's too
    assert (done.created, done.linked) == (37, 41)  # 4 joined an application the person had
    assert count(engine, "public.applications") == applied + 37
    # One demo referral was at Interviewing while the person's own application, made after it,
    # was moved to Screening later: the later word wins, and the referral shows Screening. Its
    # interview still counts (points, totals); every other figure is as it was.
    changed = {r: (stages[r], stages_after[r]) for r in stages if stages[r] != stages_after[r]}
    assert list(changed.values()) == [("interviewing", "reviewing")]
    assert {k: v for k, v in after.items() if k not in ("stage counts", "job counts")} == \
        {k: v for k, v in before.items() if k not in ("stage counts", "job counts")}
    counts = dict(before["stage counts"])
    counts |= {"interviewing": str(int(counts["interviewing"]) - 1),
               "reviewing": str(int(counts["reviewing"]) + 1)}
    assert dict(after["stage counts"]) == counts
    assert len(histories) == 37 and all(h.steps == h.referral_steps for h in histories)
    assert tuple(again) == (0, 0, 0)  # a second run finds nothing to do
