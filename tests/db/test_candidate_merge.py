"""Merging one person's two candidate records (the same LinkedIn profile under two emails)
against the real database (issue 16): what moves, what is refused, and who may merge."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.candidates import applications, profile
from services.candidates.applications import ApplicationForm
from services.postings.tracking import TrackedSource
from services.referrals import submission as referring
from tests.db.rows import add_account, add_job, count

VISITOR = Actor.visitor()
LINKEDIN = "https://www.linkedin.com/in/dana-kowalski"


def _candidate(engine, email: str) -> UUID:
    with engine.connect() as conn:
        return conn.execute(sa.text("select id from public.candidates where email = :e"),
                            {"e": email}).scalar_one()


@pytest.fixture
def pair(clean_db):
    """Dana under two emails, the same LinkedIn profile: one applied to a job, the other was
    referred for another and asked a question."""
    rita = add_account(clean_db, "rita@example.com", "Rita Recruiter", Role.RECRUITER)
    priya = add_account(clean_db, "priya@example.com", "Priya Patel", Role.ALUMNUS)
    first, second = add_job(clean_db, "Product Designer"), add_job(clean_db, "Design Lead")
    applications.apply(VISITOR, first, ApplicationForm("Dana Kowalski", "dana@work.example",
                                                       linkedin_url=LINKEDIN, consent=True),
                       None, TrackedSource())
    referring.refer(priya, referring.ReferralForm(
        "Dana K.", "dana@home.example", "linkedin.com/in/Dana-Kowalski/", second,
        "We worked together for years.", "Careful and quick designer.", True))
    with clean_db.begin() as conn:
        question = conn.execute(sa.text(
            "insert into public.questions (body) values ('Is the role remote?') returning id")).scalar_one()
        conn.execute(sa.text("insert into public.question_askers (question_id, email)"
                             " values (:q, 'dana@home.example')"), {"q": question})
    return {"rita": rita, "priya": priya, "keep": _candidate(clean_db, "dana@work.example"),
            "merge": _candidate(clean_db, "dana@home.example"), "first": first, "second": second}


def test_merging_moves_applications_referrals_and_questions_and_is_audited(clean_db, pair):
    merged = profile.merge(pair["rita"], pair["keep"], pair["merge"])
    # the referral for Design Lead is an application for it (issue 16): both move
    assert (merged.applications, merged.referrals, merged.questions) == (1, 1, 1)
    assert merged.describe("Dana K. (dana@home.example)", "this profile") == (
        "Merged Dana K. (dana@home.example) into this profile: 1 application, 1 referral and "
        "1 question moved here.")
    assert count(clean_db, "public.candidates where id = :m", m=pair["merge"]) == 0
    person = profile.profile(pair["rita"], pair["keep"])
    assert [a.job_title for a in person.applications] == ["Design Lead", "Product Designer"]
    assert [r.job_title for r in person.referrals] == ["Design Lead"]
    assert [q.body for q in person.questions] == ["Is the role remote?"]
    assert person.same_linkedin == []
    assert count(clean_db, "public.audit_log where action = 'candidate.merged' and subject_id = :k",
                 k=str(pair["keep"])) == 1
    # the merged record is gone: merging it again finds nothing
    with pytest.raises(NotFound):
        profile.merge(pair["rita"], pair["merge"], pair["keep"])


def test_an_application_moves_with_its_candidate(clean_db, pair):
    profile.merge(pair["rita"], pair["merge"], pair["keep"])  # keep the referred one this time
    person = profile.profile(pair["rita"], pair["merge"])
    assert [a.job_title for a in person.applications] == ["Design Lead", "Product Designer"]
    assert [r.job_title for r in person.referrals] == ["Design Lead"]


def test_both_applied_to_one_job_is_refused_and_nothing_changes(clean_db, pair):
    applications.apply(VISITOR, pair["first"], ApplicationForm("Dana K.", "dana@home.example", consent=True),
                       None, TrackedSource())
    with pytest.raises(ValidationError, match="Both applied to Product Designer: withdraw or reject one"):
        profile.merge(pair["rita"], pair["keep"], pair["merge"])
    assert count(clean_db, "public.candidates") == 2
    assert count(clean_db, "public.audit_log where action = 'candidate.merged'") == 0


def test_only_the_same_linkedin_profile_and_two_different_people_are_merged(clean_db, pair):
    applications.apply(VISITOR, pair["first"], ApplicationForm("Eli Novak", "eli@example.com",
                                                               consent=True), None, TrackedSource())
    with pytest.raises(ValidationError, match="Only candidates with the same LinkedIn profile"):
        profile.merge(pair["rita"], pair["keep"], _candidate(clean_db, "eli@example.com"))
    with pytest.raises(ValidationError, match="Choose two different candidates"):
        profile.merge(pair["rita"], pair["keep"], pair["keep"])


def test_two_candidate_accounts_are_not_merged(clean_db, pair):
    for email, candidate in (("dana@work.example", pair["keep"]), ("dana@home.example", pair["merge"])):
        account = add_account(clean_db, email, "Dana", Role.CANDIDATE)
        with clean_db.begin() as conn:
            conn.execute(sa.text("update public.candidates set user_id = :u where id = :c"),
                         {"u": account.user_id, "c": candidate})
    with pytest.raises(ValidationError, match="Both have a candidate account"):
        profile.merge(pair["rita"], pair["keep"], pair["merge"])


@pytest.mark.parametrize("who", ["priya", "visitor"])
def test_only_recruiters_and_admins_merge(clean_db, pair, who):
    actor = VISITOR if who == "visitor" else pair[who]
    with pytest.raises(PermissionDenied, match="Only recruiters and admins can merge"):
        profile.merge(actor, pair["keep"], pair["merge"])
    assert count(clean_db, "public.candidates") == 2


def test_visitors_may_not_call_the_function(clean_db, pair):
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied for function"), \
            transaction(VISITOR) as conn:
        conn.execute(sa.text("select * from private.merge_candidates(:k, :m)"),
                     {"k": pair["keep"], "m": pair["merge"]})
