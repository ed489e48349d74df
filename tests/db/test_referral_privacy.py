"""The referral programme's personal data in the privacy export and erasure, against the
real database: a candidate's referrals (source, résumé, stages, ownership identities) and an
alumnus' roster row, referrals, links, payouts, notifications and preferences; erasure and
the retention purge free a candidate's identities, remove the referrals' résumés and keep
the bonus payouts as money records.

Everything happens through the portal's services, as the people who do it there.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.models import Actor, Role
from portal.storage import ResumeStore, resume_store
from services.candidates.applications import Resume
from services.people import privacy
from services.referrals import outreach as alumni_outreach
from services.referrals import pipeline as referral_pipeline
from services.referrals import recognition
from services.referrals import rewards as referral_rewards
from services.referrals import roster as alumni
from services.referrals.submission import ReferralForm, my_links
from tests.db.rows import add_account, add_job, count, refer_confirmed
from tests.support import make_pdf


@pytest.fixture
def store() -> ResumeStore:
    return resume_store()  # where the admin's erasure removes files from


@dataclass
class World:
    tom: Actor        # alumnus on the roster, referred Ada, was paid for her hire
    uma: Actor        # employee, referred Ada later (a duplicate)
    recruiter: Actor
    admin: Actor
    job: UUID
    referral: UUID
    resume: bytes
    code: str


def referral_of(actor: Actor, name: str, email: str, job: UUID | None, store, resume: bytes | None = None,
                linkedin: str = ""):
    """A referral whose candidate confirmed it."""
    return refer_confirmed(actor, ReferralForm(full_name=name, email=email, linkedin_url=linkedin, job_id=job,
                                     relationship="Worked together", reason="A careful, sharp analyst",
                                     candidate_agreed=True),
                 Resume("Ada CV.pdf", resume) if resume else None, store=store)


@pytest.fixture
def world(clean_db, store) -> World:
    engine = clean_db
    tom = add_account(engine, "tom@example.com", "Tom Becker", Role.ALUMNUS)
    uma = add_account(engine, "uma@example.com", "Uma Staff", Role.EMPLOYEE)
    recruiter = add_account(engine, "rita@example.com", "Rita Recruiter", Role.RECRUITER)
    admin = add_account(engine, "maya@example.com", "Maya Admin", Role.ADMIN)
    job = add_job(engine, "Data Analyst")
    alumni.import_roster(admin, b"name,email,department,last_day,linkedin_url\n"
                                b"Tom Becker,tom@example.com,Analytics,2025-06-30,"
                                b"https://www.linkedin.com/in/tom-b\n")
    resume = make_pdf("Ada Lovelace")
    first = referral_of(tom, "Ada Lovelace", "ada@example.com", job, store, resume,
                        linkedin="https://www.linkedin.com/in/Ada-L/")
    assert first.outcome == "owner"
    for stage in ("interviewing", "hired"):
        referral_pipeline.move(recruiter, first.referral_id, stage)
    referral_rewards.save_rule(recruiter, "", 1500, 90)
    referral_rewards.record_start(recruiter, first.referral_id, date.today() - timedelta(days=120))
    (payout,) = referral_rewards.payouts(recruiter).rows
    referral_rewards.mark_paid(recruiter, payout.id)
    recognition.set_opt_out(tom, True)
    alumni_outreach.say_interested(tom, "Data platform", "Would come back in spring")
    code = my_links(tom).code
    return World(tom, uma, recruiter, admin, job, first.referral_id, resume, code)


# --- export ---------------------------------------------------------------------------------

def test_the_candidates_export_holds_their_referrals_and_names_only_the_source(engine, world, store):
    assert referral_of(world.uma, "Ada L.", "ADA@example.com", None, store).outcome == "duplicate"
    data = privacy.export_for(world.admin, "ada@example.com")  # as the admin, under RLS

    first, second = data["referrals"]
    assert (first["referred_by"], first["job"], first["relationship"], first["stage"], first["outcome"]) \
        == ("Tom Becker", "Data Analyst", "Worked together", "Hired", "owner")  # stages in words
    assert first["linkedin_url"] == "https://www.linkedin.com/in/Ada-L/" and first["candidate_agreed_at"]
    assert base64.b64decode(first["resume_base64"]) == world.resume and "resume_path" not in first
    assert [s["stage"] for s in first["stages"]] == ["Received", "Interviewing", "Hired"]
    assert (second["referred_by"], second["outcome"], second["job"]) == ("Uma Staff", "duplicate", None)
    assert "resume_base64" not in second
    identities = {i["identity"]: i for i in data["referral_identities"]}
    assert set(identities) == {"email:ada@example.com", "linkedin:/in/ada-l"}
    assert all(i["owned_from"] < i["owned_until"] for i in identities.values())

    # The referrers are named, nothing more: not their addresses, links, rewards or news.
    text = json.dumps(data)
    for theirs in ("tom@example.com", "uma@example.com", world.code, "1500", "moved from",
                   "Data platform"):
        assert theirs not in text
    assert all(data[key] == [] for key in ("alumni_roster", "referrals_made", "referral_codes",
                                           "referral_payouts", "referral_notifications",
                                           "referrer_preferences", "boomerang_interest"))


def test_the_alumnus_export_holds_everything_the_programme_holds_about_them(engine, world, store):
    data = privacy.export_for(world.admin, "Tom@Example.com")  # as the admin, under RLS

    (roster,) = data["alumni_roster"]
    assert (roster["full_name"], roster["department"], roster["last_day"], roster["linkedin_url"]) == \
        ("Tom Becker", "Analytics", "2025-06-30", "https://www.linkedin.com/in/tom-b")
    assert "invitation_hash" not in roster
    (made,) = data["referrals_made"]
    assert (made["candidate"], made["job"], made["reason"], made["stage"], made["outcome"]) == \
        ("Ada Lovelace", "Data Analyst", "A careful, sharp analyst", "Hired", "owner")
    assert [c["code"] for c in data["referral_codes"]] == [world.code]
    (payout,) = data["referral_payouts"]
    assert (payout["amount"], payout["share_percent"], payout["job"]) == ("1500.00", "100.00", "Data Analyst")
    assert payout["paid_at"] and payout["forfeited_at"] is None
    assert [n["message"] for n in data["referral_notifications"]] == [
        "Ada Lovelace (Data Analyst) moved from Received to Interviewing.",
        "Ada Lovelace (Data Analyst) moved from Interviewing to Hired."]
    assert [p["leaderboard_opt_out"] for p in data["referrer_preferences"]] == [True]
    (interest,) = data["boomerang_interest"]
    assert (interest["areas"], interest["notes"]) == ("Data platform", "Would come back in spring")
    (account,) = data["account"]
    assert account["role"] == "alumnus"

    # The candidate's own details stay hers.
    text = json.dumps(data)
    assert "ada@example.com" not in text and base64.b64encode(world.resume).decode() not in text
    assert data["candidate"] == [] and data["referrals"] == [] and data["referral_identities"] == []


# --- erasure --------------------------------------------------------------------------------

def ownerships(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("select identity from public.referral_ownerships")).scalars())


def test_erasing_a_candidate_frees_their_identities_and_keeps_the_paid_bonus(engine, world, store):
    assert referral_of(world.uma, "Ada", "ada@example.com", None, store).outcome == "duplicate"
    assert ownerships(engine) == {"email:ada@example.com", "linkedin:/in/ada-l"}

    erasure = privacy.erase_for(world.admin, "ada@example.com")
    assert (erasure.candidates, erasure.referrals, len(erasure.resumes)) == (1, 2, 1)
    with pytest.raises(FileNotFoundError):  # the referral's résumé is gone from the store
        store.read(erasure.resumes[0])
    assert ownerships(engine) == set()
    assert count(engine, "public.referral_stage_events") == 0
    assert count(engine, "public.referral_notifications") == 0  # they named her
    # The money paid to Tom is still on the books, no longer tied to her.
    with engine.connect() as conn:
        kept = conn.execute(sa.text(
            "select referral_id, amount, paid_at, paid_by, referrer_id from public.referral_payouts")).one()
    assert kept.referral_id is None and kept.amount == 1500 and kept.paid_at
    assert (kept.paid_by, kept.referrer_id) == (world.recruiter.user_id, world.tom.user_id)
    (listed,) = referral_rewards.payouts(world.recruiter, status="paid").rows
    assert (listed.amount, listed.candidate_name, listed.referrer_email) == \
        (1500, "(erased on request)", "tom@example.com")
    payroll = referral_rewards.payroll_csv(world.recruiter, status="paid").decode("utf-8-sig")
    assert "(erased on request)" in payroll and "1500" in payroll

    # Referred afresh: she is the new referrer's, by email and by LinkedIn profile.
    again = referral_of(world.uma, "Ada Lovelace", "ada@example.com", None, store,
                        linkedin="https://linkedin.com/in/ada-l")
    assert again.outcome == "owner"
    assert ownerships(engine) == {"email:ada@example.com", "linkedin:/in/ada-l"}
    other_email = referral_of(world.tom, "Ada", "ada.l@example.com", None, store,
                              linkedin="linkedin.com/in/ada-l")
    assert other_email.outcome == "duplicate"  # Uma's referral owns the profile now


def test_a_detached_payout_cannot_be_pointed_at_another_referral(engine, world, store):
    other = referral_of(world.tom, "Bo Berg", "bo@example.com", world.job, store)
    privacy.erase_for(world.admin, "ada@example.com")
    with pytest.raises(sa.exc.IntegrityError, match="stays with the referral"), engine.begin() as conn:
        conn.execute(sa.text("update public.referral_payouts set referral_id = :r"),
                     {"r": other.referral_id})
    with pytest.raises(sa.exc.IntegrityError, match="already paid"), engine.begin() as conn:
        conn.execute(sa.text("update public.referral_payouts set amount = 1"))


def test_erasing_an_alumnus_removes_their_programme_data_and_keeps_money_and_referrals(engine, world):
    erasure = privacy.erase_for(world.admin, "TOM@example.com")

    assert (erasure.roster, erasure.referrer_rows, erasure.referrals_made, erasure.payouts) == (1, 5, 1, 1)
    # 1 code, 2 notifications, 1 preference, 1 interest
    for table in ("alumni_roster", "referral_codes", "referral_notifications", "referrer_preferences",
                  "boomerang_interest"):
        assert count(engine, f"public.{table}") == 0, table
    assert count(engine, "public.referrals") == 1 and count(engine, "public.referral_payouts") == 1
    assert count(engine, "public.candidates where email = 'ada@example.com'") == 1
    summary = erasure.summary()
    assert "removed 1 alumni roster entry and 5 other records" in summary
    assert "Kept 1 referral they made" in summary and "1 referral bonus payout" in summary
    assert "deactivate it on the Users page" in summary
    with engine.connect() as conn:
        logged = conn.execute(sa.text(
            "select details::text from public.audit_log where action = 'privacy.erased'")).scalar_one()
    assert "tom" not in logged.lower() and '"referrer_records": "6"' in logged
    with engine.begin() as conn:
        data = privacy.export_person(conn, "tom@example.com")
    assert data["alumni_roster"] == data["referral_codes"] == data["boomerang_interest"] == []


# --- the retention purge --------------------------------------------------------------------

def past_retention(engine, email: str) -> None:
    """Date a candidate, their referrals and the applications those made a year and more ago (the
    retention period is 365 days)."""
    with engine.begin() as conn:
        conn.execute(sa.text("update public.candidates set created_at = now() - interval '400 days'"
                             " where email = :email"), {"email": email})
        conn.execute(sa.text("update public.referrals r set stage_changed_at = now() - interval '400 days'"
                             " from public.candidates c where c.id = r.candidate_id and c.email = :email"),
                     {"email": email})
        conn.execute(sa.text("update public.applications a set updated_at = now() - interval '400 days'"
                             " from public.candidates c where c.id = a.candidate_id and c.email = :email"),
                     {"email": email})


def test_purge_frees_the_identities_of_an_unsuccessful_referral(engine, world, store):
    cleo = referral_of(world.tom, "Cleo Carter", "cleo@example.com", world.job, store, make_pdf("Cleo"),
                       linkedin="https://linkedin.com/in/cleo")
    # a referral for a job is its application: not selecting it is a rejection, with its reason
    referral_pipeline.move(world.recruiter, cleo.referral_id, "not_selected", reason="skills")
    duplicate = referral_of(world.uma, "Cleo", "cleo@example.com", None, store)
    assert duplicate.outcome == "duplicate"
    referral_pipeline.move(world.recruiter, duplicate.referral_id, "not_selected")
    past_retention(engine, "cleo@example.com")
    assert "email:cleo@example.com" in ownerships(engine)

    erasure = privacy.purge_for(world.admin)
    assert (erasure.candidates, erasure.referrals, len(erasure.resumes)) == (1, 2, 1)
    assert ownerships(engine) == {"email:ada@example.com", "linkedin:/in/ada-l"}  # Ada was hired
    assert referral_of(world.uma, "Cleo Carter", "cleo@example.com", None, store,
                       linkedin="linkedin.com/in/cleo/").outcome == "owner"


def test_a_duplicate_nobody_moved_on_does_not_keep_a_candidate_from_the_purge(engine, world, store):
    cleo = referral_of(world.tom, "Cleo Carter", "cleo@example.com", world.job, store)
    # a referral for a job is its application: not selecting it is a rejection, with its reason
    referral_pipeline.move(world.recruiter, cleo.referral_id, "not_selected", reason="skills")
    left_as_submitted = referral_of(world.uma, "Cleo", "cleo@example.com", None, store)
    assert left_as_submitted.outcome == "duplicate"

    # A duplicate a recruiter took up is an open process: Cleo's data stays.
    referral_pipeline.move(world.recruiter, left_as_submitted.referral_id, "reviewing")
    past_retention(engine, "cleo@example.com")
    assert privacy.purge_for(world.admin).candidates == 0
    # Left where it arrived, it is only a record of a second referrer: the purge goes on.
    referral_pipeline.move(world.recruiter, left_as_submitted.referral_id, "submitted")
    past_retention(engine, "cleo@example.com")
    erasure = privacy.purge_for(world.admin)
    assert (erasure.candidates, erasure.referrals) == (1, 2)
    assert "email:cleo@example.com" not in ownerships(engine)
