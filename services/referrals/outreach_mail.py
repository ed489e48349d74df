"""The emails the portal sends alumni in bulk (roster invitations and job digests): their
texts, queueing them for the worker, the worker's sending, and their state for the pages.

Pages queue one row per email in public.outreach_emails (migration
20261130100000_outreach_mail.sql, which also explains why an email is sent at most once)
and one worker task per email, and return at once. One task per email rather than per
batch: each email has its own attempts and back-off, a refused address holds nobody else
up, a worker that stops loses at most the email it was sending, and several workers share
a long list. The sweep every minute (`due_emails`) queues what is due again: retries after
their back-off, and emails whose task could not be queued.

An invitation's token is made by the worker when it sends, and only its SHA-256 is
stored, on the roster row, in the transaction that records the email sent: neither our
table nor procrastinate's job arguments ever hold a working link.

A temporary failure (SMTP 4xx, an unreachable server) is tried again after 1, 5 and 15
minutes, then given up; a refusal (5xx, a wrong password, an untrusted certificate) is
given up at once. The reason kept is the portal's own sentence (`mail.SendFailure`).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import db, mail
from portal.db import transaction
from portal.models import Actor
from portal.outbox import SEND_EMAIL_NAME, defer, defer_async, send_lock  # noqa: F401 - the outbox's
from portal.public_address import public_url
from portal.settings import Settings
from portal.words import counted
from services.candidates import applications
from services.postings.tracking import job_link

log = logging.getLogger(__name__)

INVITATION_DAYS = 14
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim older than this belongs to a worker that stopped while sending (SMTP calls time
# out after 10 s): the email may be out, so it becomes a failure, never a second email.
CLAIM_TIMEOUT = timedelta(minutes=10)
STUCK_MESSAGE = "The worker stopped while sending: the email may or may not have arrived."
REGISTERED_MESSAGE = "Not sent: they registered in the meantime."
REPLACED_MESSAGE = "Not sent: a newer invitation replaced it."
NO_MESSAGE_MESSAGE = "Not sent: the message was taken back."
NO_ACCOUNT_MESSAGE = "Not sent: the account is deactivated, or no longer an alumnus's."


# --- the texts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DigestJob:
    id: UUID
    title: str
    department: str
    location: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return f"{public_url()}/register?{urlencode({'invite': token})}"


def invitation_email(full_name: str, link: str) -> str:
    return (f"Hello {full_name},\n\nYou are invited to join our alumni network: see our open "
            f"jobs, refer people you know and follow each referral to the end.\n\n"
            f"Register here (the link is valid for {INVITATION_DAYS} days and works once):\n"
            f"{link}\n\nIf you did not expect this email, you can ignore it.\n")


INVITATION_SUBJECT = "Join our alumni network"


def candidate_message_email(full_name: str, job_title: str, status: str, message: str) -> tuple[str, str]:
    """Subject and text of a recruiter's message to a candidate (plain text: what they wrote
    goes out as written, never as markup)."""
    stage = applications.candidate_stage(status)
    return (f"About your application: {job_title}",
            f"Hello {full_name},\n\n{message}\n\nYour application for {job_title}: {stage}.\n"
            f"You can see it at any time on the private link you were given when you applied, "
            f"or under My applications if you have an account: {public_url()}\n")


def digest_email(jobs: Sequence[DigestJob], note: str) -> tuple[str, str]:
    base = public_url()
    lines = [note, ""] if note else []
    lines += ["Open jobs you may know someone for (or that may bring you back):", ""]
    lines += [f"- {j.title} ({j.department}, {j.location}): {job_link(base, j.id)}" for j in jobs]
    lines += ["", f"All digests are in the portal: {base}/job-digests"]
    return f"{counted(len(jobs), 'open job')} for our alumni", "\n".join(lines)


# --- queueing (in the page's transaction, as the admin or recruiter) ----------------------------

def queue_invitations(conn: Connection, roster_ids: Iterable[UUID]) -> list[UUID]:
    """One invitation email per roster row; RLS lets admins only."""
    return list(conn.execute(sa.text(
        "insert into public.outreach_emails (kind, roster_id)"
        " select 'invitation', id from unnest(cast(:ids as uuid[])) as t(id) returning id"),
        {"ids": list(roster_ids)}).scalars())


def queue_digest(conn: Connection, digest_id: UUID, recipient_ids: Iterable[UUID]) -> list[UUID]:
    """One email of the digest per recipient; RLS lets its sender only."""
    return list(conn.execute(sa.text(
        "insert into public.outreach_emails (kind, digest_id, recipient_id)"
        " select 'digest', :digest, id from unnest(cast(:ids as uuid[])) as t(id) returning id"),
        {"digest": digest_id, "ids": list(recipient_ids)}).scalars())


# --- the worker's side (owner) -----------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def due_emails(now: datetime | None = None) -> list[UUID]:
    """Emails to send now (waiting, due); also turns stuck claims into failures."""
    now = _now(now)
    with db.owner_transaction() as conn:
        conn.execute(sa.text(
            "update public.outreach_emails set status = 'failed', claim = null, claimed_at = null,"
            " last_error = :stuck, updated_at = now() where status = 'sending' and claimed_at < :stale"),
            {"stuck": STUCK_MESSAGE, "stale": now - CLAIM_TIMEOUT})
        return list(conn.execute(sa.text(
            "select id from public.outreach_emails where status = 'queued' and next_attempt_at <= :now"
            " order by next_attempt_at, created_at limit 5000"), {"now": now}).scalars())


def worker_stopped(email_id: UUID) -> bool:
    """The worker sending this email died (portal.task_queue.recover_stalled_jobs): its
    claim becomes the failure `STUCK_MESSAGE` now rather than after `CLAIM_TIMEOUT`, since
    the email may have gone out. True when there was such a claim."""
    with db.owner_transaction() as conn:
        return bool(conn.execute(sa.text(
            "update public.outreach_emails set status = 'failed', claim = null, claimed_at = null,"
            " last_error = :stuck, updated_at = now() where id = :id and status = 'sending'"),
            {"id": email_id, "stuck": STUCK_MESSAGE}).rowcount)


def claim(email_id: UUID, now: datetime | None = None) -> UUID | None:
    """Take a due email for sending, committed before anything is sent; None when another
    worker has it, or it is not due (any more)."""
    token = uuid4()
    with db.owner_transaction() as conn:
        claimed = conn.execute(sa.text(
            "update public.outreach_emails set status = 'sending', claim = :token, claimed_at = :now,"
            " attempts = attempts + 1, updated_at = now()"
            " where id = :id and status = 'queued' and next_attempt_at <= :now returning id"),
            {"id": email_id, "token": token, "now": _now(now)}).first()
    return token if claimed else None


def send(email_id: UUID, claim_token: UUID, now: datetime | None = None,
         config: Settings | None = None) -> str:
    """Send a claimed email and record the outcome in one transaction."""
    now = _now(now)
    with db.owner_transaction() as conn:
        row = conn.execute(sa.text(
            "select kind, roster_id, digest_id, recipient_id, application_id, attempts"
            " from public.outreach_emails"
            " where id = :id and claim = :claim and status = 'sending' for update"),
            {"id": email_id, "claim": claim_token}).first()
        if row is None:
            return "not sent: no longer claimed by this worker"
        compose = {"invitation": _invitation, "digest": _digest,
                   "candidate_message": _candidate_message}[row.kind]
        try:
            to, subject, body = compose(conn, email_id, row, now)
        except _NotToSend as reason:
            _record(conn, email_id, "failed", str(reason), now)
            return f"not sent: {reason}"
        try:
            mail.deliver(to, subject, body, config)
        except mail.SendFailure as failure:
            return _record_failure(conn, email_id, row.attempts, failure, now)
        conn.execute(sa.text(
            "update public.outreach_emails set status = 'sent', sent_at = :now, claim = null,"
            " claimed_at = null, last_error = null, updated_at = now() where id = :id"),
            {"id": email_id, "now": now})
        if row.kind == "digest":
            conn.execute(sa.text("update public.job_digests set emailed = emailed + 1 where id = :id"),
                         {"id": row.digest_id})
    return "sent"


class _NotToSend(Exception):
    pass


def _invitation(conn: Connection, email_id: UUID, row, now: datetime) -> tuple[str, str, str]:
    person = conn.execute(sa.text(
        "select r.email, r.full_name, r.registered_at is not null as registered,"
        " exists (select 1 from public.outreach_emails n where n.roster_id = r.id"
        "         and n.created_at > e.created_at) as replaced"
        " from public.alumni_roster r join public.outreach_emails e on e.roster_id = r.id"
        " where e.id = :id for update of r"), {"id": email_id}).one()
    if person.registered:
        raise _NotToSend(REGISTERED_MESSAGE)
    if person.replaced:
        raise _NotToSend(REPLACED_MESSAGE)
    # A fresh token: only its hash is kept, committed with "sent"; the email has the link.
    token = secrets.token_urlsafe(32)
    conn.execute(sa.text(
        "update public.alumni_roster set invitation_hash = :hash, invited_at = :now,"
        " invitation_expires_at = cast(:now as timestamptz) + make_interval(days => :days)"
        " where id = :id"),
        {"hash": token_hash(token), "now": now, "days": INVITATION_DAYS, "id": row.roster_id})
    return person.email, INVITATION_SUBJECT, invitation_email(person.full_name, invitation_link(token))


def _digest(conn: Connection, email_id: UUID, row, now: datetime) -> tuple[str, str, str]:
    found = conn.execute(sa.text(
        "select p.email, p.active and p.role = 'alumnus' as active, d.jobs, d.note"
        " from public.profiles p, public.job_digests d"
        " where p.id = :recipient and d.id = :digest"),
        {"recipient": row.recipient_id, "digest": row.digest_id}).one()
    if not found.active:
        raise _NotToSend(NO_ACCOUNT_MESSAGE)
    jobs = [DigestJob(UUID(j["id"]), j["title"], j["department"], j["location"]) for j in found.jobs]
    subject, body = digest_email(jobs, found.note)
    return found.email, subject, body


def _candidate_message(conn: Connection, email_id: UUID, row, now: datetime) -> tuple[str, str, str]:
    """A recruiter's message to a candidate about their application, as it stands when sent."""
    found = conn.execute(sa.text(
        "select c.email, c.full_name, j.title, a.status::text as status, a.candidate_message"
        " from public.applications a join public.candidates c on c.id = a.candidate_id"
        " join public.jobs j on j.id = a.job_id where a.id = :id"), {"id": row.application_id}).one()
    if not found.candidate_message:
        raise _NotToSend(NO_MESSAGE_MESSAGE)
    return found.email, *candidate_message_email(found.full_name, found.title, found.status,
                                                  found.candidate_message)


def _record(conn: Connection, email_id: UUID, status: str, error: str | None, now: datetime,
            next_attempt: datetime | None = None) -> None:
    conn.execute(sa.text(
        "update public.outreach_emails set status = :status, claim = null, claimed_at = null,"
        " last_error = :error, next_attempt_at = coalesce(:next, next_attempt_at), updated_at = now()"
        " where id = :id"),
        {"id": email_id, "status": status, "error": error[:300] if error else None, "next": next_attempt})


def _record_failure(conn: Connection, email_id: UUID, attempts: int, failure: mail.SendFailure,
                    now: datetime) -> str:
    if failure.temporary and attempts < MAX_ATTEMPTS:
        next_attempt = now + BACKOFF[attempts - 1]
        _record(conn, email_id, "queued", failure.reason, now, next_attempt)
        outcome = f"will retry at {next_attempt:%H:%M} UTC"
    else:
        _record(conn, email_id, "failed", failure.reason, now)
        outcome = "gave up"
    log.warning("Outreach email %s not sent (attempt %d, %s): %s", email_id, attempts, outcome,
                failure.reason)
    return f"not sent: {failure.reason} ({outcome})"


def deliver(email_id: UUID, now: datetime | None = None, config: Settings | None = None) -> str:
    """Claim and send one email: what the worker's task runs."""
    token = claim(email_id, now)
    if token is None:
        return "not sent: not due, or another worker has it"
    return send(email_id, token, now, config)


# --- state for the pages -------------------------------------------------------------------------

@dataclass(frozen=True)
class EmailState:
    status: str  # queued, sending, sent or failed
    attempts: int
    problem: str | None
    next_attempt_at: datetime
    sent_at: datetime | None

    def describe(self) -> str:
        if self.status == "sent":
            return "Sent"
        if self.status == "failed":
            return f"Failed: {self.problem}"
        if self.status == "sending":
            return "Sending"
        if self.problem:
            return f"Will retry at {self.next_attempt_at.astimezone(UTC):%H:%M} UTC: {self.problem}"
        return "Queued"


@dataclass(frozen=True)
class DigestCounts:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def invitation_states(actor: Actor, roster_ids: Sequence[UUID]) -> dict[UUID, EmailState]:
    """The latest invitation email of each roster row that has one (admins)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select distinct on (roster_id) roster_id, status, attempts, last_error, next_attempt_at,"
            " sent_at from public.outreach_emails where kind = 'invitation' and roster_id = any(:ids)"
            " order by roster_id, created_at desc"), {"ids": list(roster_ids)}).all()
    return {r.roster_id: EmailState(r.status, r.attempts, r.last_error, r.next_attempt_at, r.sent_at)
            for r in rows}


def digest_counts(actor: Actor, digest_ids: Sequence[UUID]) -> dict[UUID, DigestCounts]:
    """How many of each digest's emails were sent, failed, or wait (staff)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select digest_id, count(*) filter (where status = 'sent') as sent,"
            " count(*) filter (where status = 'failed') as failed,"
            " count(*) filter (where status in ('queued', 'sending')) as waiting"
            " from public.outreach_emails where kind = 'digest' and digest_id = any(:ids)"
            " group by digest_id"), {"ids": list(digest_ids)}).all()
    return {r.digest_id: DigestCounts(r.sent, r.failed, r.waiting) for r in rows}
