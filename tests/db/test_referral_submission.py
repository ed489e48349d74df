"""Referring someone against the real database: a referral waits for its candidate to
confirm, then ownership and duplicates (with races of many simultaneous submissions and
confirmations), candidates who applied first, personal referral links, the privacy notice
and its one-time link (through a real SMTP server on this machine), a recruiter confirming
for the candidate, and who may do what."""

from __future__ import annotations

import threading
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore
from services.candidates.applications import ApplicationForm, Resume, apply
from services.people import email_confirmation
from services.people.accounts import create_account
from services.postings import tracking
from services.postings.tracking import TrackedSource
from services.referrals import pipeline
from services.referrals import stages as referral_list
from services.referrals import submission as referring
from tests.db.rows import add_job, candidate_confirms, confirmation_token
from tests.support import make_pdf


def person(engine, email: str, role: Role = Role.ALUMNUS, name: str = "Priya Raman") -> Actor:
    with engine.begin() as conn:
        user_id = create_account(conn, email, name, role, None)
    return Actor(user_id=user_id, email=email, role=role, full_name=name)


def form(email: str = "ada@example.com", **changes) -> referring.ReferralForm:
    values = {"full_name": "Ada Lovelace", "email": email, "linkedin_url": "linkedin.com/in/ada-l",
              "job_id": None, "relationship": "We worked together at Analytical Engines.",
              "reason": "She writes the best programs I have seen.", "candidate_agreed": True}
    return referring.ReferralForm(**{**values, **changes})


def referrals(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select r.*, c.email from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " order by r.created_at, r.id")).all()


@pytest.fixture
def world(clean_db):
    with clean_db.begin() as conn:
        conn.execute(sa.text("insert into public.company (name, website) values"
                             " ('Acme Analytics', 'https://acme.example')"))
    return {"priya": person(clean_db, "priya@example.com"),
            "tom": person(clean_db, "tom@example.com", name="Tom Berg"),
            "eve": person(clean_db, "eve@example.com", Role.EMPLOYEE, "Eve Ngata"),
            "job": add_job(clean_db)}


def test_first_referral_owns_and_a_second_is_recorded_as_a_duplicate(world, clean_db):
    first = referring.refer(world["priya"], form(job_id=world["job"]))
    assert first.outcome == "pending" and "counts for you once Ada Lovelace confirms" in first.message
    assert candidate_confirms(first.referral_id) == "owner"
    second = referring.refer(world["tom"], form(email="  ADA@Example.COM "))
    assert second.outcome == "duplicate"  # someone owns her already: told at once
    assert "already been referred" in second.message
    rows = referrals(clean_db)
    assert [r.outcome for r in rows] == ["owner", "duplicate"]
    assert rows[1].owner_referral_id == first.referral_id
    assert rows[1].reason == "She writes the best programs I have seen."  # recorded, not lost
    assert {r.email for r in rows} == {"ada@example.com"}  # one candidate
    assert rows[0].candidate_agreed_at is not None and rows[0].job_id == world["job"]


def test_the_linkedin_profile_matches_whatever_the_email(world, clean_db):
    first = referring.refer(world["priya"], form(linkedin_url="https://www.linkedin.com/in/Ada-L/"))
    candidate_confirms(first.referral_id)
    again = referring.refer(world["eve"], form(email="ada.private@example.org",
                                               linkedin_url="http://de.linkedin.com/in/ada-l?trk=x"))
    other = referring.refer(world["tom"], form(email="bob@example.org", linkedin_url="linkedin.com/in/bob"))
    assert (again.outcome, candidate_confirms(other.referral_id)) == ("duplicate", "owner")


def test_ownership_ends_with_its_period(world, clean_db):
    admin = person(clean_db, "admin@example.com", Role.ADMIN)
    referring.set_ownership_months(admin, 6)
    assert referring.ownership_months(world["priya"]) == 6
    first = referring.refer(world["priya"], form())
    candidate_confirms(first.referral_id)
    with clean_db.begin() as conn:
        owned = conn.execute(sa.text("select upper(owned) - lower(owned) from public.referral_ownerships"
                                     " where referral_id = :r"), {"r": first.referral_id}).scalars().all()
        assert len(owned) == 2 and all(152 <= span.days <= 184 for span in owned)  # email and LinkedIn
        # Seven months later:
        conn.execute(sa.text("update public.referral_ownerships set owned = tstzrange(lower(owned)"
                             " - interval '7 months', upper(owned) - interval '7 months')"))
    assert candidate_confirms(referring.refer(world["tom"], form()).referral_id) == "owner"


def test_only_admins_set_the_period_and_only_within_bounds(world, clean_db):
    with pytest.raises(PermissionDenied):
        referring.set_ownership_months(world["priya"], 3)
    admin = person(clean_db, "admin@example.com", Role.ADMIN)
    with pytest.raises(ValidationError, match="between 1 and 60"):
        referring.set_ownership_months(admin, 0)
    assert referring.ownership_months(admin) == 12


def test_a_candidate_who_applied_first_is_credited_to_no_one(world, clean_db, tmp_path):
    apply(Actor.visitor(), world["job"], ApplicationForm("Ada Lovelace", "ada@example.com", consent=True),
          None, TrackedSource(), LocalStore(tmp_path))
    late = referring.refer(world["priya"], form())
    assert late.outcome == "applied_first" and "already applied" in late.message
    assert late.notice  # the referrer's details are still new to the candidate
    later = referring.refer(world["tom"], form())
    assert later.outcome == "applied_first"
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.referral_ownerships")).scalar() == 0


def test_an_application_under_way_decides_a_simultaneous_referral(world, clean_db):
    # Ada is on file already (say, from an earlier hire import). Applying updates her
    # candidate row, and a referral's insert of the same email waits for that row, so the
    # referral is decided after the application commits, never beside it.
    with clean_db.begin() as conn:
        conn.execute(sa.text("insert into public.candidates (full_name, email)"
                             " values ('Ada', 'ada@example.com')"))
    applying = clean_db.connect()
    applying.begin()
    applying.execute(sa.text(
        "select * from private.submit_application(:job, 'Ada Lovelace', 'ada@example.com', null, null, '',"
        " 'direct', null, null, null, null, null, null, null)"), {"job": world["job"]})
    outcome: list[str] = []
    referring_thread = threading.Thread(
        target=lambda: outcome.append(referring.refer(world["priya"], form()).outcome))
    referring_thread.start()
    referring_thread.join(timeout=1.0)
    assert referring_thread.is_alive(), "the referral should wait for the application under way"
    applying.commit()
    applying.close()
    referring_thread.join(timeout=10)
    assert outcome == ["applied_first"]


def _at_once(work, items) -> list:
    """`work(item)` for every item in threads started together: their results, or the errors raised."""
    start = threading.Barrier(len(items))
    results: list = []
    errors: list[BaseException] = []

    def run(item) -> None:
        try:
            start.wait()
            results.append(work(item))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return results


def test_many_simultaneous_referrals_and_confirmations_of_one_person_make_one_owner(world, clean_db):
    referrers = [person(clean_db, f"alum{n}@example.com", name=f"Alum {n}") for n in range(16)]

    def submit(n: int) -> str:
        # Half by email in different cases, half by the LinkedIn profile under another email.
        email = "ADA@example.com" if n % 2 else f"ada{n}@example.org"
        return referring.refer(referrers[n], form(email=email, linkedin_url="linkedin.com/in/ada-l")).outcome

    assert _at_once(submit, range(16)) == ["pending"] * 16  # nobody owns her before she confirms
    rows = referrals(clean_db)
    assert len(rows) == 16
    # Each of her addresses confirms at the same moment: the earliest submitted referral wins,
    # whichever confirmation came first, and every other is its duplicate.
    confirmed = _at_once(lambda r: candidate_confirms(r.id), rows)
    assert sorted(confirmed) == ["duplicate"] * 15 + ["owner"]
    rows = referrals(clean_db)
    earliest = min(rows, key=lambda r: (r.created_at, r.id))
    assert [r.id for r in rows if r.outcome == "owner"] == [earliest.id]
    assert all(r.owner_referral_id == earliest.id for r in rows if r.id != earliest.id), \
        [(r.id, r.outcome, r.owner_referral_id) for r in rows]


def test_the_constraint_itself_refuses_a_second_owner(world, clean_db):
    first = referring.refer(world["priya"], form())
    candidate_confirms(first.referral_id)
    second = referring.refer(world["tom"], form())
    with pytest.raises(sa.exc.IntegrityError, match="referral_ownerships_one_owner"), \
            clean_db.begin() as conn:
        conn.execute(sa.text("insert into public.referral_ownerships (identity, referral_id, owned)"
                             " values ('email:ada@example.com', :r,"
                             " tstzrange(now(), now() + interval '1 day'))"),
                     {"r": second.referral_id})
    assert referrals(clean_db)[0].outcome == "owner"


def test_bad_submissions_are_refused_with_what_to_fix(world, clean_db):
    with pytest.raises(ValidationError, match="candidate agreed"):
        referring.refer(world["priya"], form(candidate_agreed=False))
    with pytest.raises(ValidationError, match="LinkedIn"):
        referring.refer(world["priya"], form(linkedin_url="https://example.com/ada"))
    with pytest.raises(ValidationError, match="Why they fit"):
        referring.refer(world["priya"], form(reason=""))
    with pytest.raises(ValidationError, match="yourself"):
        referring.refer(world["priya"], form(email="Priya@example.com"))
    closed = add_job(clean_db, "Old job", status="closed")
    with pytest.raises(NotFound, match="no longer open"):
        referring.refer(world["priya"], form(job_id=closed))
    candidate = person(clean_db, "cand@example.com", Role.CANDIDATE)
    with pytest.raises(PermissionDenied):
        referring.refer(candidate, form())
    assert referrals(clean_db) == []


def test_a_resume_is_kept_and_a_refused_one_leaves_no_file(world, clean_db, tmp_path):
    store = LocalStore(tmp_path)
    done = referring.refer(world["priya"], form(), Resume("ada.pdf", make_pdf()), store)
    row = referrals(clean_db)[0]
    assert row.id == done.referral_id and row.resume_name == "ada.pdf"
    assert any(p.read_bytes()[:4] == b"%PDF" for p in tmp_path.rglob("*") if p.is_file())
    with pytest.raises(ValidationError):
        referring.refer(world["tom"], form(email="x@example.com"), Resume("cv.pdf", b"not a pdf"), store)
    with pytest.raises(NotFound):
        referring.refer(world["tom"], form(email="y@example.com", job_id=add_job(clean_db, status="closed")),
                        Resume("cv.pdf", make_pdf()), store)
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_the_privacy_notice_is_shown_to_forward_without_smtp(world, clean_db):
    done = referring.refer(world["priya"], form())
    assert not done.notice_emailed
    for words in ("Acme Analytics", "https://acme.example", "Priya Raman", "Dear Ada Lovelace",
                  "12 months", "erasure", "data protection authority"):
        assert words in done.notice
    # The referrer forwards it, so it carries no link that would let them confirm for her.
    assert "confirm-email" not in done.notice and "a recruiter confirms it" in done.message
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from private.email_confirmations")).scalar() == 0
    candidate_confirms(done.referral_id)
    assert referring.refer(world["tom"], form()).notice is None  # a duplicate: already told


def test_the_privacy_notice_is_emailed_where_smtp_is_set(world, smtp):
    done = referring.refer(world["priya"], form())
    assert done.notice_emailed
    [(recipients, message)] = smtp.messages
    assert recipients == ["ada@example.com"]
    body = message.get_payload(decode=True).decode()
    assert "Priya Raman" in body and "Acme Analytics" in body


def test_a_duplicate_referrer_does_not_see_the_candidates_details(world, clean_db):
    candidate_confirms(referring.refer(world["priya"], form()).referral_id)
    referring.refer(world["tom"], form())
    with clean_db.begin() as conn:
        conn.execute(sa.text("update public.candidates set phone = '+1 555 0100'"))
    with transaction(world["tom"]) as conn:
        assert conn.execute(sa.text("select count(*) from public.candidates")).scalar() == 0
        assert conn.execute(sa.text("select count(*) from public.referrals")).scalar() == 1  # their own
    with transaction(world["priya"]) as conn:
        assert conn.execute(sa.text("select phone from public.candidates")).scalar() == "+1 555 0100"
    # Tom's list still shows his referral, and why it does not count for him.
    (mine,) = referral_list.list_referrals(world["tom"], mine=True).rows
    assert (mine.candidate_name, mine.outcome) == ("—", "duplicate")
    assert referral_list.OUTCOME_NOTES[mine.outcome] == "Someone referred them first"


# --- personal referral links -----------------------------------------------------------------

def _apply_through(engine, job: UUID, code: str | None, email: str, tmp_path) -> None:
    apply(Actor.visitor(), job, ApplicationForm("Grace Hopper", email, linkedin_url="linkedin.com/in/grace",
                                                consent=True),
          None, TrackedSource(source="referral", referral_code=code), LocalStore(tmp_path))


def test_each_referrer_has_a_stable_unguessable_code_and_links(world, clean_db):
    links = referring.my_links(world["priya"])
    assert links == referring.my_links(world["priya"])  # stable
    assert len(links.code) >= 32 and links.code != referring.my_links(world["tom"]).code
    assert links.board.endswith(f"/?ref={links.code}")
    [(job, link)] = links.jobs
    assert job.id == world["job"]
    followed = tracking.follow_short_link(link.rsplit("/", 1)[1], uuid4(), bot=False)
    assert followed.job_id == world["job"] and followed.source.referral_code == links.code
    with pytest.raises(PermissionDenied):
        referring.my_links(person(clean_db, "c@example.com", Role.CANDIDATE))


def test_an_application_through_a_link_becomes_that_referrers_referral(world, clean_db, tmp_path):
    code = referring.my_links(world["priya"]).code
    _apply_through(clean_db, world["job"], code, "grace@example.com", tmp_path)
    [row] = referrals(clean_db)
    assert (row.referrer_id, row.outcome, row.origin, row.job_id) == (
        world["priya"].user_id, "pending", "link", world["job"])
    assert row.application_id is not None
    # Grace opens the link emailed to her: now Priya owns her, as a referral always did.
    confirmed = email_confirmation.confirm(confirmation_token(clean_db, "grace@example.com"))
    assert confirmed.referral_outcome == "owner"
    assert [r.outcome for r in referrals(clean_db)] == ["owner"]
    # Tom's link later, for the same person (another job): a duplicate at once (it could never
    # own her, so it asks her nothing).
    other_job = add_job(clean_db, title="Data Engineer")
    _apply_through(clean_db, other_job, referring.my_links(world["tom"]).code, "GRACE@example.com", tmp_path)
    assert [r.outcome for r in referrals(clean_db)] == ["owner", "duplicate"]
    # Tom's form for her too: a duplicate, and he is told so.
    assert referring.refer(world["tom"], form(email="grace@example.com")).outcome == "duplicate"


def test_links_follow_the_same_rules(world, clean_db, tmp_path):
    # Applied directly first, then through a link: no one is credited.
    _apply_through(clean_db, world["job"], None, "grace@example.com", tmp_path)
    other_job = add_job(clean_db, title="Data Engineer")
    priya = referring.my_links(world["priya"]).code
    _apply_through(clean_db, other_job, priya, "grace@example.com", tmp_path)
    assert [r.outcome for r in referrals(clean_db)] == ["applied_first"]  # at once: nothing to confirm
    # One's own link, and a made-up code, make no referral.
    _apply_through(clean_db, world["job"], referring.my_links(world["tom"]).code, "tom@example.com", tmp_path)
    _apply_through(clean_db, world["job"], "madeupcode1234567890", "hal@example.com", tmp_path)
    assert len(referrals(clean_db)) == 1


# --- confirming an alumnus's referral: the candidate's emailed link, or a recruiter ----------

def test_the_emailed_notice_carries_a_one_time_link_that_credits_the_referrer(world, smtp, clean_db):
    done = referring.refer(world["priya"], form(job_id=world["job"]))
    assert done.notice_emailed and done.outcome == "pending"
    [(_recipients, message)] = smtp.messages
    assert "/confirm-email?token=" in message.get_payload(decode=True).decode()
    token = confirmation_token(clean_db, "ada@example.com")
    confirmed = email_confirmation.confirm(token)
    assert confirmed.referral_outcome == "owner"
    assert [r.outcome for r in referrals(clean_db)] == ["owner"]
    with pytest.raises(ValidationError, match="not valid"):  # one time only
        email_confirmation.confirm(token)


def test_only_staff_confirm_for_the_candidate_and_it_is_audited(world, clean_db):
    done = referring.refer(world["priya"], form(job_id=world["job"]))
    # The referrer cannot confirm for her: not through the portal, nor through the Data API
    # (the function as the referrer's role, or the row itself).
    with pytest.raises(PermissionDenied):
        pipeline.confirm_for_candidate(world["priya"], done.referral_id)
    with pytest.raises(sa.exc.DBAPIError, match="Only recruiters and admins"), \
            transaction(world["priya"]) as conn:
        conn.execute(sa.text("select private.confirm_referral_for_candidate(:id)"),
                     {"id": done.referral_id})
    with transaction(world["priya"]) as conn:  # row-level security: no row she may update
        assert conn.execute(sa.text("update public.referrals set outcome = 'owner' where id = :id"),
                            {"id": done.referral_id}).rowcount == 0
    assert [r.outcome for r in referrals(clean_db)] == ["pending"]

    recruiter = person(clean_db, "rita@example.com", Role.RECRUITER, "Rita Recruiter")
    assert pipeline.confirm_for_candidate(recruiter, done.referral_id) == "owner"
    assert [r.outcome for r in referrals(clean_db)] == ["owner"]
    with clean_db.connect() as conn:
        [entry] = conn.execute(sa.text(
            "select actor_id, details from public.audit_log"
            " where action = 'referral.confirmed_by_recruiter'")).all()
    assert entry.actor_id == recruiter.user_id and entry.details == {"outcome": "owner"}
    with pytest.raises(ValidationError, match="not waiting for its candidate"):  # once
        pipeline.confirm_for_candidate(recruiter, done.referral_id)
