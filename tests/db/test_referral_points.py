"""Only credited referrals earn, and only real processes are "in progress": through the
services as the people who use them (alumni refer, a candidate applies, a recruiter moves
referrals on and reads the overview, the leaderboard and the programme's figures), on the
real database. Figures worked out by hand from services/recognition.POINTS: 10 for a
credited referral, 30 more once it reached an interview, 100 more when hired."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.models import Actor, Role
from services import overview
from services.candidates.applications import ApplicationForm, apply
from services.people.accounts import create_account
from services.postings.tracking import TrackedSource
from services.referrals import pipeline, recognition
from services.referrals import programme_figures as rf
from services.referrals import submission as referring
from tests.db.rows import candidate_confirms, refer_confirmed


@pytest.fixture
def world(clean_db) -> dict:
    people = {}
    with clean_db.begin() as conn:
        for who, name, role in (("priya", "Priya", Role.ALUMNUS), ("tom", "Tom", Role.ALUMNUS),
                                ("eve", "Eve", Role.EMPLOYEE), ("rita", "Rita", Role.RECRUITER)):
            email = f"{who}@example.com"
            people[who] = Actor(user_id=create_account(conn, email, name, role, None), email=email,
                                role=role, full_name=name)
        people["job"] = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values ('Data Engineer', 'Engineering', 'Berlin', 'published') returning id")).scalar_one()
    return people


def refer(actor: Actor, email: str, name: str = "Sam Okafor") -> referring.Referred:
    """A referral whose candidate confirmed it (a pending one earns nothing: see below)."""
    return refer_confirmed(actor, referring.ReferralForm(
        full_name=name, email=email, relationship="We worked together for two years.",
        reason="Builds careful data pipelines and explains them well.", candidate_agreed=True))


def applies_themselves(job, email: str, name: str) -> None:
    apply(Actor.visitor(), job, ApplicationForm(full_name=name, email=email, consent=True), None,
          TrackedSource())


def board(viewer: Actor) -> list[tuple[int, str, int]]:
    return [(s.place, s.full_name, s.points) for s in recognition.leaderboard(viewer)]


def in_progress(recruiter: Actor) -> int:
    return overview.recruiting_overview(recruiter).active_referrals


def test_a_duplicate_earns_nothing_and_the_credited_referral_earns_as_before(world):
    priya, tom, rita = world["priya"], world["tom"], world["rita"]
    owner = refer(priya, "sam@example.net")
    duplicate = refer(tom, "  SAM@Example.NET ")
    assert (owner.outcome, duplicate.outcome) == ("owner", "duplicate")

    # Priya: 1 referral x 10 = 10, her first badge. Tom: nothing, no badge, not on the board.
    assert recognition.my_recognition(priya) == recognition.Recognition(1, 0, 0, 10, ("First referral",))
    assert recognition.my_recognition(tom) == recognition.Recognition()
    for viewer in (priya, tom, world["eve"], rita):
        assert board(viewer) == [(1, "Priya", 10)]

    # A recruiter takes both on to interview and hires Sam through Priya's referral:
    # Priya 10 + 30 + 100 = 140 with three badges; Tom's duplicate, moved too, still nothing.
    for referral, stages in ((owner, ("interviewing", "hired")), (duplicate, ("interviewing",))):
        for stage in stages:
            pipeline.move(rita, referral.referral_id, stage)
    assert recognition.my_recognition(priya) == recognition.Recognition(
        1, 1, 1, 140, ("First referral", "Interview maker", "First hire"))
    assert recognition.my_recognition(tom) == recognition.Recognition()
    assert board(rita) == [(1, "Priya", 140)]
    # The programme's figures count the one credited referral too.
    today = date.today()
    figures = rf.figures(rita, today - timedelta(days=1), today + timedelta(days=1))
    assert figures.totals == {"referrals": 1, "interviews": 1, "hires": 1, "conversion": 1.0}
    assert list(figures.top_referrers["referrer"]) == ["Priya"]


def test_a_referral_earns_nothing_until_its_candidate_confirms(world):
    priya, rita = world["priya"], world["rita"]
    waiting = referring.refer(priya, referring.ReferralForm(
        full_name="Sam Okafor", email="sam@example.net", relationship="We worked together for two years.",
        reason="Builds careful data pipelines and explains them well.", candidate_agreed=True))
    assert waiting.outcome == "pending"
    pipeline.move(rita, waiting.referral_id, "interviewing")  # recruiters may consider them meanwhile
    assert recognition.my_recognition(priya) == recognition.Recognition()
    assert board(rita) == []
    today = date.today()
    assert rf.figures(rita, today - timedelta(days=1), today + timedelta(days=1)).totals["referrals"] == 0
    assert candidate_confirms(waiting.referral_id) == "owner"
    assert recognition.my_recognition(priya) == recognition.Recognition(
        1, 1, 0, 40, ("First referral", "Interview maker"))
    assert board(rita) == [(1, "Priya", 40)]


def test_someone_who_had_applied_already_earns_nothing(world):
    applies_themselves(world["job"], "lin@example.net", "Lin Park")
    late = refer(world["eve"], "lin@example.net", name="Lin Park")
    assert late.outcome == "applied_first"
    assert recognition.my_recognition(world["eve"]) == recognition.Recognition()
    assert board(world["rita"]) == []
    # A credited referral beside it earns exactly its 10.
    refer(world["eve"], "kai@example.net", name="Kai Berg")
    assert recognition.my_recognition(world["eve"]) == recognition.Recognition(
        1, 0, 0, 10, ("First referral",))


def test_referrals_in_progress_are_the_open_processes(world):
    """The overview counts what the privacy purge keeps as an open process: a credited
    referral not yet hired or not selected, and any other referral a recruiter moved on.
    A duplicate or applied-first referral nobody moved on is a record, not a process."""
    priya, tom, rita = world["priya"], world["tom"], world["rita"]
    applies_themselves(world["job"], "lin@example.net", "Lin Park")
    owner = refer(priya, "sam@example.net")
    duplicate = refer(tom, "sam@example.net")
    applied_first = refer(tom, "lin@example.net", name="Lin Park")
    assert (owner.outcome, duplicate.outcome, applied_first.outcome) == \
        ("owner", "duplicate", "applied_first")
    assert in_progress(rita) == 1  # Priya's; the two records wait at submitted
    pipeline.move(rita, duplicate.referral_id, "reviewing")
    assert in_progress(rita) == 2  # a recruiter took Tom's on: a process now
    pipeline.move(rita, owner.referral_id, "hired")
    pipeline.move(rita, duplicate.referral_id, "not_selected")
    assert in_progress(rita) == 0  # both decided; Lin's applied-first one never moved
