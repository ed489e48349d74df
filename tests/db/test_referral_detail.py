"""A referral's own page reads it through services.referrals.pipeline.my_referral, as the
person who opens it, on the demo data: the referrer gets their referral with its timeline,
points and messages; another alumnus, a candidate and a visitor get nothing (row-level
security), and a recruiter may read any. The points of all of a referrer's referrals add
up to the database's own total (private.referrer_scores)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import Actor
from services.referrals import pipeline, recognition, stages
from tests.support import signed_in


def _referral_ids(engine, email: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select r.id from public.referrals r join public.profiles p on p.id = r.referrer_id"
            " where p.email = :email order by r.created_at"), {"email": email}).scalars().all()


def test_the_referrer_reads_her_referral_and_nobody_else_does(demo_db):
    priya = signed_in("priya@example.com")
    referral_id = _referral_ids(demo_db, "priya@example.com")[-1]
    detail = pipeline.my_referral(priya, str(referral_id))
    assert detail is not None and detail.referral.id == referral_id
    assert detail.timeline and detail.timeline[0].stage == "submitted"
    assert detail.timeline[-1].stage == detail.referral.stage
    assert all(n.referral_id == referral_id for n in detail.notifications)

    for other in (signed_in("tom@example.com"), signed_in("candidate@example.com"), Actor.visitor()):
        assert pipeline.my_referral(other, referral_id) is None
    assert pipeline.my_referral(signed_in("recruiter@example.com"), referral_id) is not None
    for bad in (None, "", "not-an-id", "00000000-0000-0000-0000-000000000000"):
        assert pipeline.my_referral(priya, bad) is None


def test_the_points_of_each_referral_add_up_to_the_referrers_total(demo_db):
    for email in ("priya@example.com", "tom@example.com"):
        referrer = signed_in(email)
        details = [pipeline.my_referral(referrer, i) for i in _referral_ids(demo_db, email)]
        assert sum(d.points for d in details) == recognition.my_recognition(referrer).points
        assert all(d.points == 0 for d in details if d.referral.outcome != "owner")
        assert {d.referral.stage for d in details} <= set(stages.STAGES)


def test_points_follow_the_scores_rules():
    assert pipeline.referral_points("owner", False, "submitted") == 10
    assert pipeline.referral_points("owner", True, "not_selected") == 40
    assert pipeline.referral_points("owner", True, "hired") == 140
    assert pipeline.referral_points("duplicate", True, "hired") == 0
