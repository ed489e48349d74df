"""Proving an email address by a one-time link: candidates creating their own account, and
candidates confirming an application made through someone's referral link, or a referral an
alumnus made of them (only then is the referrer credited; until then the referral is pending
and owns nobody).

A link's token is made when it is emailed (by the worker, through the outbox, when SMTP is
set; at once, written to the log, when it is not; for a referral made on "Refer someone", when
the privacy notice is emailed, and never when the referrer is to forward the notice) and only
its SHA-256 is kept. A link
works once, for CONFIRMATION_HOURS. Each address gets at most MAX_SENDS_PER_HOUR links of
one kind an hour, whoever asks, so nobody floods an inbox.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, auth, mail, outbox, validation
from portal.db import owner_transaction
from portal.errors import ValidationError
from portal.models import Role
from portal.public_address import public_url
from portal.settings import settings
from portal.tokens import new_token, plausible_token, token_hash
from portal.words import counted
from services.people import accounts, sign_in

log = logging.getLogger(__name__)

CONFIRM_PATH = "/confirm-email"  # ?token=<token>
CONFIRMATION_HOURS = {"sign_up": 24, "referral": 24 * 7}
MAX_SENDS_PER_HOUR = 3
SIGN_UP_SENT = ("Check your inbox: we have emailed {email} a link to confirm the address. Your "
                "account is created when you open it (within 24 hours); then sign in.")
INVALID_LINK = ("This confirmation link is not valid: it may have expired or been used already. "
                "Ask for a new one.")


@dataclass(frozen=True)
class Confirmed:
    purpose: str  # sign_up or referral
    email: str
    account_created: bool  # a sign-up made the account now (False: it existed already)
    referral_outcome: str | None = None  # for a referral: owner, duplicate, applied_first
    referral_origin: str | None = None  # link (their application) or form (an alumnus referred them)


# --- asking --------------------------------------------------------------------------------------

def request_sign_up(email: str, full_name: str, password: str, password_again: str) -> str:
    """A visitor asks for a candidate account: the account is made only when the link
    emailed to `email` is opened. The answer is the same whether or not the address has an
    account already (that email says so instead), so it tells nobody who has one."""
    problems = validation.FormProblems()
    email = problems.check("email", validation.email_address, email) or ""
    full_name = problems.check("full_name", validation.full_name, full_name) or ""
    supabase = settings().supabase_auth
    if not supabase:
        password = problems.check("password", validation.new_password, password) or ""
        if password:
            problems.check("password_again", validation.typed_twice, password, password_again)
    problems.raise_any()
    if supabase:  # Supabase Auth makes the account and emails its own confirmation
        try:
            sign_in.supabase_client().invite(email)
        except Exception as error:  # noqa: BLE001 - Supabase and network errors alike
            raise ValidationError(f"Supabase could not send the confirmation email ({error}). "
                                  "Try again in a moment.") from None
        return SIGN_UP_SENT.format(email=email)
    with owner_transaction() as conn:
        _within_limit(conn, email, "sign_up", refuse=True)
        confirmation = conn.execute(sa.text(
            "insert into private.email_confirmations (email, purpose, full_name, password_hash,"
            " expires_at) values (:email, 'sign_up', :name, :hash,"
            " now() + make_interval(hours => :hours)) returning id"),
            {"email": email, "name": full_name, "hash": auth.hash_password(password),
             "hours": CONFIRMATION_HOURS["sign_up"]}).scalar_one()
        queued = _send(conn, confirmation)
    if queued:
        outbox.defer([queued])
    return SIGN_UP_SENT.format(email=email)


def request_referral_confirmation(application_id: UUID) -> bool:
    """After an application: if it made a pending referral (through a referral link, by
    someone not signed in with that email), email the applicant the link that credits it.
    True when a link is on its way."""
    with owner_transaction() as conn:
        pending = conn.execute(sa.text(
            "select r.id, c.email from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " where r.application_id = :id and r.outcome = 'pending'"), {"id": application_id}).first()
        if pending is None or not _within_limit(conn, pending.email, "referral", refuse=False):
            return False
        confirmation = conn.execute(sa.text(
            "insert into private.email_confirmations (email, purpose, referral_id, expires_at)"
            " values (:email, 'referral', :referral, now() + make_interval(hours => :hours))"
            " returning id"),
            {"email": pending.email, "referral": pending.id,
             "hours": CONFIRMATION_HOURS["referral"]}).scalar_one()
        queued = _send(conn, confirmation)
    if queued:
        outbox.defer([queued])
    return True


def notice_confirmation(referral_id: UUID) -> str | None:
    """For the privacy notice emailed to the candidate of a pending referral made on "Refer
    someone": the paragraph asking them to confirm, with a fresh one-time link. None when
    the referral is not waiting for them or the address had its links for this hour (a
    recruiter can still confirm for them). Never for a notice the referrer forwards: the
    referrer would hold the link."""
    with owner_transaction() as conn:
        pending = conn.execute(sa.text(
            "select c.email, coalesce(nullif(p.full_name, ''), 'The person who referred you') as referrer"
            " from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " join public.profiles p on p.id = r.referrer_id"
            " where r.id = :id and r.outcome = 'pending'"), {"id": referral_id}).first()
        if pending is None or not _within_limit(conn, pending.email, "referral", refuse=False):
            return None
        token = new_token()
        expires_at = conn.execute(sa.text(
            "insert into private.email_confirmations (email, purpose, referral_id, token_hash, expires_at)"
            " values (:email, 'referral', :referral, :hash, now() + make_interval(hours => :hours))"
            " returning expires_at"),
            {"email": pending.email, "referral": referral_id, "hash": token_hash(token),
             "hours": CONFIRMATION_HOURS["referral"]}).scalar_one()
    return (f"Is this you, and do you know {pending.referrer}? Then please open this link, so that "
            f"{pending.referrer} is credited with referring you:\n\n{confirmation_link(token)}\n\n"
            f"The link works once, until {_when(expires_at)}. If you do not know them, ignore it: "
            "nobody is credited with you.\n")


def _within_limit(conn: Connection, email: str, purpose: str, *, refuse: bool) -> bool:
    """Whether `email` may get another link of `purpose` now (one decision at a time per
    address); `refuse` raises a ValidationError saying when instead of answering False."""
    conn.execute(sa.text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                 {"key": f"confirmation:{email}"})
    conn.execute(sa.text("delete from private.email_confirmations"
                         " where expires_at < now() - interval '7 days'"))
    sent = conn.execute(sa.text(
        "select count(*) from private.email_confirmations where email = :email and purpose = :purpose"
        " and created_at > now() - interval '1 hour'"), {"email": email, "purpose": purpose}).scalar_one()
    if sent < MAX_SENDS_PER_HOUR:
        return True
    if refuse:
        raise ValidationError(f"We have already sent {counted(sent, 'confirmation email')} to this "
                              "address in the last hour. Open the latest one, or try again in an hour.")
    log.info("No confirmation email for an application: this address had %d this hour.", sent)
    return False


def _send(conn: Connection, confirmation_id: UUID) -> UUID | None:
    """Queue the link for the worker to email (its id, to defer after the commit) when SMTP
    is set; without it, write the email to the log now, like a console mail backend, so a
    developer can open the link."""
    if mail.enabled():
        return conn.execute(sa.text(
            "insert into public.outreach_emails (kind, confirmation_id, queued_by)"
            " values ('email_confirmation', :id, null) returning id"), {"id": confirmation_id}).scalar_one()
    to, subject, body = compose(conn, confirmation_id)
    mail.console(to, subject, body)
    return None


# --- the email -----------------------------------------------------------------------------------

def confirmation_link(token: str) -> str:
    return f"{public_url()}{CONFIRM_PATH}?{urlencode({'token': token})}"


def compose(conn: Connection, confirmation_id: UUID) -> tuple[str, str, str]:
    """The email for a confirmation: (to, subject, body), with a fresh link whose hash is
    stored now (the worker calls this when it sends, so only the email holds the token)."""
    token = new_token()
    row = conn.execute(sa.text(
        "update private.email_confirmations set token_hash = :hash where id = :id"
        " returning email, purpose, full_name, referral_id, expires_at"),
        {"hash": token_hash(token), "id": confirmation_id}).one()
    link = confirmation_link(token)
    if row.purpose == "sign_up":
        return row.email, "Confirm your email to create your account", (
            f"Hello {row.full_name},\n\n"
            f"Open this link to confirm {row.email} and create your candidate account, so that you "
            f"can follow your applications:\n\n{link}\n\n"
            f"The link works once, until {_when(row.expires_at)}. If you did not ask for an account, "
            "ignore this email: nothing is created. If you have an account already, the link "
            "simply says so; sign in with your password.\n")
    referral = conn.execute(sa.text(
        "select coalesce(nullif(p.full_name, ''), 'A referrer') as referrer, c.full_name,"
        " coalesce(j.title, 'a job') as job"
        " from public.referrals r join public.profiles p on p.id = r.referrer_id"
        " join public.candidates c on c.id = r.candidate_id left join public.jobs j on j.id = r.job_id"
        " where r.id = :id"), {"id": row.referral_id}).one()
    return row.email, f"Confirm your application for {referral.job}", (
        f"Hello {referral.full_name},\n\n"
        f"An application for {referral.job} was sent with this email address through the "
        f"personal referral link of {referral.referrer}. If it was you, open this link so that "
        f"{referral.referrer} is credited with referring you:\n\n{link}\n\n"
        f"The link works once, until {_when(row.expires_at)}. If you did not apply, ignore this "
        "email: nobody is credited with you. You may ask us to erase the application by "
        "replying to this message.\n")


def _when(moment: datetime) -> str:
    return f"{moment:%d %B %Y, %H:%M} UTC"


# --- confirming ----------------------------------------------------------------------------------

def confirm(token: str | None) -> Confirmed:
    """Open a confirmation link: once, before it expires. A sign-up creates the candidate
    account (and links the applications made with that email); a referral is decided,
    exactly as one made by the email's owner is at once."""
    if not plausible_token(token):
        raise ValidationError(INVALID_LINK)
    digest = token_hash(token or "")
    with owner_transaction() as conn:
        # Used once: marked used, and a sign-up's password hash is kept no longer.
        row = conn.execute(sa.text(
            "with found as (select id, password_hash from private.email_confirmations"
            "  where token_hash = :hash and used_at is null and expires_at > now() for update)"
            " update private.email_confirmations c set used_at = now(), password_hash = null"
            " from found where c.id = found.id returning c.id, c.email, c.purpose, c.full_name,"
            " found.password_hash, c.referral_id, c.token_hash"),
            {"hash": digest}).first()
        # Found by its hash, so the lookup's timing says nothing of the token; checked again
        # in constant time all the same.
        if row is None or not hmac.compare_digest(bytes(row.token_hash), digest):
            raise ValidationError(INVALID_LINK)
        if row.purpose == "referral":
            decided = conn.execute(sa.text(
                "select d.outcome, r.origin from private.confirm_pending_referral(:id) d"
                " join public.referrals r on r.id = :id"), {"id": row.referral_id}).first()
            outcome, origin = decided if decided else (None, None)
            audit.record(conn, "referral.confirmed_by_candidate", "referral", str(row.referral_id),
                         {"outcome": str(outcome)})
            return Confirmed("referral", row.email, False, outcome, origin)
        created = _create_candidate(conn, row.email, row.full_name, row.password_hash)
    return Confirmed("sign_up", row.email, created)


def _create_candidate(conn: Connection, email: str, full_name: str, password_hash: str) -> bool:
    """The candidate account, unless the address has one already (then nothing changes:
    not its password, not its role). True when it was created."""
    conn.execute(sa.text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                 {"key": f"sign-up:{email}"})
    if conn.execute(sa.text("select 1 from auth.users where lower(email) = :email"),
                    {"email": email}).first():
        return False
    user_id = accounts.create_account(conn, email, full_name, Role.CANDIDATE, None)
    conn.execute(sa.text("update auth.users set encrypted_password = :hash where id = :id"),
                 {"hash": password_hash, "id": user_id})
    sign_in.link_applications(conn, user_id, email)
    audit.record(conn, "user.signed_up", "user", str(user_id), {"role": Role.CANDIDATE.value})
    return True
