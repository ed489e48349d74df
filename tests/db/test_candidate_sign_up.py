"""Candidates prove their email (issue 16): creating their own account by a one-time link,
and the referral credit that waits for the email's owner (the attack first: applying
through an alumna's link in someone else's name must not make her their owner)."""

from __future__ import annotations

import re
import threading
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore
from portal.tokens import token_hash
from services.candidates import applications
from services.candidates.applications import ApplicationForm, apply
from services.people import email_confirmation, sign_in
from services.postings.tracking import TrackedSource
from services.referrals import outreach_mail
from services.referrals import submission as referring
from tests.db.rows import add_job, candidate_confirms, confirmation_token


@pytest.fixture
def world(referral_world, clean_db):
    return referral_world


def _apply(job: UUID, email: str, tmp_path, code: str | None = None, actor: Actor | None = None,
           name: str = "Grace Hopper") -> applications.Applied:
    return apply(actor or Actor.visitor(), job, ApplicationForm(name, email, consent=True), None,
                 TrackedSource(source="referral" if code else "career_site", referral_code=code),
                 LocalStore(tmp_path))


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _outcomes(engine) -> list[tuple[str, str]]:
    return [(r.email, r.outcome) for r in _rows(
        engine, "select p.email, r.outcome from public.referrals r join public.profiles p"
                " on p.id = r.referrer_id where r.origin = 'link' order by r.created_at, r.id")]


def _owners(engine, email: str) -> list[str]:
    return [r.email for r in _rows(
        engine, "select p.email from public.referral_ownerships o join public.referrals r"
                " on r.id = o.referral_id join public.profiles p on p.id = r.referrer_id"
                " where o.identity = :identity", identity=f"email:{email}")]


def _open_every_link_at_once(engine) -> list[email_confirmation.Confirmed]:
    """A fresh link for every confirmation waiting, all opened at the same moment."""
    tokens = []
    for row in _rows(engine, "select id from private.email_confirmations where used_at is null"):
        with engine.begin() as conn:
            body = email_confirmation.compose(conn, row.id)[2]
        tokens.append(re.search(r"token=([A-Za-z0-9_-]+)", body).group(1))
    results, start = [], threading.Barrier(len(tokens))

    def open_link(token):
        start.wait()
        results.append(email_confirmation.confirm(token))

    threads = [threading.Thread(target=open_link, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- creating a candidate account -------------------------------------------------------------

def test_a_candidate_signs_up_by_confirming_their_email_and_sees_earlier_applications(
        world, clean_db, tmp_path, caplog):
    _apply(world.job, "grace@example.com", tmp_path)  # before the account: as a visitor
    caplog.set_level("INFO", logger="boomerang.mail.console")
    message = email_confirmation.request_sign_up("Grace@Example.com", "Grace Hopper",
                                                 "a long password", "a long password")
    assert "grace@example.com" in message
    # Without SMTP the email is in the log, link and all (like a console mail backend).
    [logged] = [r.getMessage() for r in caplog.records if r.name == "boomerang.mail.console"]
    token = re.search(r"/confirm-email\?token=([A-Za-z0-9_-]+)", logged).group(1)
    # Not confirmed yet: no account, so no sign-in.
    with pytest.raises(sign_in.WrongCredentials):
        sign_in.with_password("grace@example.com", "a long password")
    # Only the token's hash is stored.
    [stored] = _rows(clean_db, "select token_hash, password_hash from private.email_confirmations")
    assert bytes(stored.token_hash) == token_hash(token) and token.encode() not in bytes(stored.token_hash)
    assert stored.password_hash.startswith("$2")

    confirmed = email_confirmation.confirm(token)
    assert (confirmed.purpose, confirmed.email, confirmed.account_created) == (
        "sign_up", "grace@example.com", True)
    [used] = _rows(clean_db, "select used_at, password_hash from private.email_confirmations")
    assert used.used_at is not None and used.password_hash is None  # the account has it now
    actor = sign_in.with_password("grace@example.com", "a long password")
    assert (actor.role, actor.full_name) == (Role.CANDIDATE, "Grace Hopper")
    [mine] = applications.my_applications(actor)
    assert (mine.job_title, mine.stage) == ("Data Engineer", "Received")
    # The link works once.
    with pytest.raises(ValidationError, match="not valid"):
        email_confirmation.confirm(token)


def test_a_sign_up_link_expires_and_made_up_links_do_nothing(clean_db):
    email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")
    token = confirmation_token(clean_db, "ada@example.com")
    with clean_db.begin() as conn:  # a day passes
        conn.execute(sa.text("update private.email_confirmations set expires_at = now() - interval '1 s'"))
    for bad in (token, "x" * 32, "", None, "../../etc/passwd"):
        with pytest.raises(ValidationError, match="not valid"):
            email_confirmation.confirm(bad)
    assert _rows(clean_db, "select 1 from auth.users") == []


def test_sign_up_says_every_problem_at_once_and_stores_nothing(clean_db):
    with pytest.raises(ValidationError) as refused:
        email_confirmation.request_sign_up("not an email", "", "short", "other")
    assert [field for field, _ in refused.value.problems] == ["email", "full_name", "password"]
    with pytest.raises(ValidationError, match="two passwords differ"):
        email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long passwort")
    assert _rows(clean_db, "select 1 from private.email_confirmations") == []


def test_sends_are_limited_per_address_whoever_asks(clean_db):
    for _ in range(email_confirmation.MAX_SENDS_PER_HOUR):
        email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")
    with pytest.raises(ValidationError, match="3 confirmation emails to this address in the last hour"):
        email_confirmation.request_sign_up("ADA@example.com", "Ada", "a long password", "a long password")
    # Another address is not held up.
    email_confirmation.request_sign_up("bob@example.com", "Bob", "a long password", "a long password")
    with clean_db.begin() as conn:  # an hour passes
        conn.execute(sa.text("update private.email_confirmations set created_at = now() - interval '61 min'"))
    email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")


def test_signing_up_with_an_address_that_has_an_account_changes_nothing(world, clean_db):
    # The answer is the same as for a new address; the link says the account exists.
    message = email_confirmation.request_sign_up("priya@example.com", "Mallory", "mallory's password",
                                                 "mallory's password")
    assert message == email_confirmation.SIGN_UP_SENT.format(email="priya@example.com")
    confirmed = email_confirmation.confirm(confirmation_token(clean_db, "priya@example.com"))
    assert not confirmed.account_created
    with pytest.raises(sign_in.WrongCredentials):
        sign_in.with_password("priya@example.com", "mallory's password")
    [profile] = _rows(clean_db, "select role, full_name from public.profiles where email = :email",
                      email="priya@example.com")
    assert (profile.role, profile.full_name) == ("alumnus", "Priya")


def test_two_links_for_one_address_opened_at_once_make_one_account(clean_db):
    for _ in range(2):
        email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")
    results = _open_every_link_at_once(clean_db)
    assert sorted(r.account_created for r in results) == [False, True]
    assert len(_rows(clean_db, "select 1 from auth.users")) == 1


def test_with_smtp_the_worker_emails_the_link_and_the_outbox_holds_no_token(clean_db, smtp):
    email_confirmation.request_sign_up("ada@example.com", "Ada Lovelace", "a long password",
                                       "a long password")
    [queued] = _rows(clean_db, "select id, kind from public.outreach_emails")
    assert queued.kind == "email_confirmation"
    assert _rows(clean_db, "select token_hash from private.email_confirmations")[0].token_hash is None
    assert outreach_mail.deliver(queued.id) == "sent"
    [(recipients, message)] = smtp.messages
    assert recipients == ["ada@example.com"]
    assert message["Subject"] == "Confirm your email to create your account"
    token = re.search(r"token=([A-Za-z0-9_-]+)", message.get_payload(decode=True).decode()).group(1)
    assert email_confirmation.confirm(token).account_created


def test_on_supabase_the_sign_up_is_supabase_auths(clean_db, supabase_auth, monkeypatch):
    config = sign_in.settings()
    monkeypatch.setattr(email_confirmation, "settings", lambda: config)
    email_confirmation.request_sign_up("ada@example.com", "Ada", "", "")
    [(path, body)] = supabase_auth.requests
    assert path.startswith("/auth/v1/otp") and body["email"] == "ada@example.com" and body["create_user"]
    assert _rows(clean_db, "select 1 from private.email_confirmations") == []


# --- the referral credit waits for the email's owner ------------------------------------------

def test_applying_through_an_alumnas_link_in_someone_elses_name_credits_nobody(world, clean_db, tmp_path):
    # Mallory opens Priya's personal link and applies with the victim's name and email.
    code = referring.my_links(world.priya).code
    applied = _apply(world.job, "victim@example.com", tmp_path, code, name="Victor Victim")
    assert applied.confirming_referral
    assert _outcomes(clean_db) == [("priya@example.com", "pending")]
    assert _owners(clean_db, "victim@example.com") == []  # Priya owns nobody
    # A genuine referral later is not blocked by the pending one: Tom owns the victim.
    other = add_job(clean_db, title="Analyst")
    done = referring.refer(world.tom, referring.ReferralForm(
        "Victor Victim", "victim@example.com", "", other, "We worked together for years.",
        "He ships reliable pipelines.", True))
    assert done.outcome == "pending"  # until the victim confirms it (Priya's pending one is not theirs)
    assert candidate_confirms(done.referral_id) == "owner"
    assert _owners(clean_db, "victim@example.com") == ["tom@example.com"]
    # Had the victim opened the link after all, Priya would still come second.
    email_confirmation.confirm(confirmation_token(clean_db, "victim@example.com"))
    assert _outcomes(clean_db) == [("priya@example.com", "duplicate")]
    assert _owners(clean_db, "victim@example.com") == ["tom@example.com"]


def test_the_candidate_confirming_credits_the_referrer_once(world, clean_db, tmp_path):
    _apply(world.job, "grace@example.com", tmp_path, referring.my_links(world.priya).code)
    token = confirmation_token(clean_db, "grace@example.com")
    confirmed = email_confirmation.confirm(token)
    assert (confirmed.purpose, confirmed.referral_outcome) == ("referral", "owner")
    assert _owners(clean_db, "grace@example.com") == ["priya@example.com"]
    with pytest.raises(ValidationError, match="not valid"):
        email_confirmation.confirm(token)
    # Signing up with the same address later does not decide anything else.
    email_confirmation.request_sign_up("grace@example.com", "Grace", "a long password", "a long password")
    email_confirmation.confirm(confirmation_token(clean_db, "grace@example.com"))
    assert _outcomes(clean_db) == [("priya@example.com", "owner")]


def test_a_signed_in_candidate_applying_with_their_own_email_is_credited_at_once(world, clean_db, tmp_path):
    with clean_db.begin() as conn:
        from services.people.accounts import create_account
        user = create_account(conn, "grace@example.com", "Grace", Role.CANDIDATE, None)
    grace = Actor(user_id=user, email="grace@example.com", role=Role.CANDIDATE, full_name="Grace")
    applied = _apply(world.job, "grace@example.com", tmp_path, referring.my_links(world.priya).code, grace)
    assert not applied.confirming_referral
    assert _outcomes(clean_db) == [("priya@example.com", "owner")]
    # The same candidate typing someone else's address is a visitor as far as that address goes.
    other = add_job(clean_db, title="Analyst")
    _apply(other, "victim@example.com", tmp_path, referring.my_links(world.tom).code, grace)
    assert _outcomes(clean_db)[1] == ("tom@example.com", "pending")


def test_two_pending_referrals_confirmed_at_once_make_one_owner(world, clean_db, tmp_path):
    second = add_job(clean_db, title="Analyst")
    _apply(world.job, "grace@example.com", tmp_path, referring.my_links(world.priya).code)
    _apply(second, "grace@example.com", tmp_path, referring.my_links(world.tom).code)
    assert len(_open_every_link_at_once(clean_db)) == 2
    assert sorted(outcome for _, outcome in _outcomes(clean_db)) == ["duplicate", "owner"]
    assert len(_owners(clean_db, "grace@example.com")) == 1


def test_a_pending_referral_shows_the_referrer_why_it_does_not_count_yet(world, clean_db, tmp_path):
    from services.referrals import stages

    _apply(world.job, "grace@example.com", tmp_path, referring.my_links(world.priya).code)
    mine = [r for r in stages.list_referrals(world.priya, mine=True).rows if r.outcome == "pending"]
    assert len(mine) == 1 and "confirm" in stages.OUTCOME_NOTES["pending"]


def test_erasing_a_person_takes_their_waiting_links(world, clean_db, tmp_path):
    from services.people import privacy

    email_confirmation.request_sign_up("grace@example.com", "Grace", "a long password", "a long password")
    _apply(world.job, "grace@example.com", tmp_path, referring.my_links(world.priya).code)
    email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")
    privacy.erase_for(world.admin, "Grace@example.com")
    assert [r.email for r in _rows(clean_db, "select email from private.email_confirmations")] == [
        "ada@example.com"]
    with pytest.raises(sa.exc.ProgrammingError, match="Only admins"), transaction(world.recruiter) as conn:
        conn.execute(sa.text("select private.forget_email_confirmations('ada@example.com')"))


# --- who may read the confirmations -----------------------------------------------------------

@pytest.mark.parametrize("role", [None, *Role])
def test_no_role_reads_or_writes_the_confirmations(world, clean_db, role):
    from services.people.accounts import create_account

    email_confirmation.request_sign_up("ada@example.com", "Ada", "a long password", "a long password")
    with clean_db.begin() as conn:  # an outbox row carrying a link, as with SMTP
        conn.execute(sa.text("insert into public.outreach_emails (kind, confirmation_id)"
                             " select 'email_confirmation', id from private.email_confirmations"))
        candidate = create_account(conn, "cand@example.com", "Cand", Role.CANDIDATE, None)
    actor = {None: Actor.visitor(), Role.ADMIN: world.admin, Role.RECRUITER: world.recruiter,
             Role.ALUMNUS: world.priya, Role.EMPLOYEE: world.tom,
             Role.CANDIDATE: Actor(user_id=candidate, email="cand@example.com", role=Role.CANDIDATE,
                                   full_name="Cand")}[role]
    for sql in ("select count(*) from private.email_confirmations",
                "update private.email_confirmations set used_at = now()",
                "select private.confirm_pending_referral(gen_random_uuid())",
                "select private.decide_referral(gen_random_uuid(), true)"):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), transaction(actor) as conn:
            conn.execute(sa.text(sql))
    outbox = "select count(*) from public.outreach_emails where kind = 'email_confirmation'"
    if role is None:  # visitors see no outbox at all
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), transaction(actor) as conn:
            conn.execute(sa.text(outbox))
    else:  # nor does anyone see the outbox rows that carry the links
        with transaction(actor) as conn:
            assert conn.execute(sa.text(outbox)).scalar() == 0
