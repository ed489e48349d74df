"""Alumni invitations and job digests sent by the worker (services/referrals/outreach_mail.py): queued by
the page, sent once each through a real SMTP server on this machine, retried after a
temporary failure, failed with a reason in our words, never twice; real PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import sqlalchemy as sa

from portal import mail, task_queue
from portal.models import Actor, Role
from portal.settings import settings
from services import background_tasks
from services.people import accounts
from services.referrals import outreach, outreach_mail
from services.referrals import roster as alumni
from tests.support import free_port, in_a_thread

ROSTER = b"name,email\nAda Lovelace,ada@example.com\nGrace Hopper,grace@example.com\n"
SERVER_SECRET = "relay-7.internal.example rejected user smtp-admin"


def _email_ids(engine) -> list[UUID]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("select id from public.outreach_emails order by created_at, id"))
                    .scalars())


def _state(engine, email_id: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text("select status, attempts, last_error, next_attempt_at, sent_at"
                                    " from public.outreach_emails where id = :id"), {"id": email_id}).one()


def _invite_ada(admin: Actor) -> UUID:
    alumni.import_roster(admin, ROSTER)
    ada = alumni.list_roster(admin, search="ada").rows[0]
    assert alumni.send_invitations(admin, [ada.id]).queued == 1
    return ada.id


def _invited_ada_email(engine, admin: Actor) -> UUID:
    _invite_ada(admin)
    [email_id] = _email_ids(engine)
    return email_id


def _token(body: str) -> str:
    return parse_qs(urlparse(re.search(r"http\S+", body).group(0)).query)["invite"][0]


# --- queued, then sent by the worker ------------------------------------------------------------

def test_the_page_queues_and_the_worker_sends_each_invitation_once(clean_db, admin, smtp):
    alumni.import_roster(admin, ROSTER)
    invited = alumni.send_invitations(admin)
    assert (invited.queued, invited.to_forward, smtp.messages) == (2, [], [])
    roster = alumni.list_roster(admin).rows
    states = alumni.invitation_emails(admin, [r.id for r in roster])
    assert {s.describe() for s in states.values()} == {"Queued"}
    with clean_db.connect() as conn:  # one task per email, on the mail queue
        jobs = conn.execute(sa.text(
            "select queue_name, args ->> 'email_id' from procrastinate.procrastinate_jobs"
            " where task_name = :name"), {"name": outreach_mail.SEND_EMAIL_NAME}).all()
    assert sorted(j[1] for j in jobs) == sorted(str(i) for i in _email_ids(clean_db))
    assert {j[0] for j in jobs} == {task_queue.MAIL_QUEUE}

    in_a_thread(task_queue.run, wait=False)
    in_a_thread(task_queue.run, wait=False)  # a second run finds nothing more to send

    assert sorted(to[0] for to, _ in smtp.messages) == ["ada@example.com", "grace@example.com"]
    states = alumni.invitation_emails(admin, [r.id for r in roster])
    assert {s.describe() for s in states.values()} == {"Sent"}
    # The link works, and neither our table nor the queue's holds the token: only its hash.
    token = _token(smtp.bodies()[0])
    with clean_db.connect() as conn:
        stored = conn.execute(sa.text("select invitation_hash from public.alumni_roster")).scalars().all()
        dumps = conn.execute(sa.text(
            "select (select coalesce(string_agg(t::text, ' '), '') from public.outreach_emails t)"
            " || (select coalesce(string_agg(j::text, ' '), '') from procrastinate.procrastinate_jobs j)"
            " || (select coalesce(string_agg(a::text, ' '), '') from public.audit_log a)")).scalar_one()
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in dumps
    assert alumni.invitation(token).full_name in ("Ada Lovelace", "Grace Hopper")


def test_a_digest_is_counted_as_its_emails_go_out(clean_db, admin, smtp):
    recruiter = _recruiter(admin)
    alums = [accounts.add_user(admin, f"alum{n}@example.com", f"Alum {n}", Role.ALUMNUS).user_id
             for n in range(3)]
    _publish_job(clean_db)
    sent = outreach.send_digest(recruiter, ["Engineering"], "Hello")
    assert (sent.queued, sent.recipients, smtp.messages) == (3, 3, [])
    [digest] = outreach.digests(recruiter)
    assert (digest.emails.sent, digest.emails.failed, digest.emails.waiting) == (0, 0, 3)

    smtp.script = [None, "550 5.1.1 " + SERVER_SECRET]  # the second recipient is refused
    in_a_thread(task_queue.run, wait=False)

    [digest] = outreach.digests(recruiter)
    assert (digest.emails.sent, digest.emails.failed, digest.emails.waiting) == (2, 1, 0)
    assert digest.emailed == 2 and len(smtp.messages) == 2
    assert "Backend Engineer" in smtp.bodies()[0] and "Hello" in smtp.bodies()[0]
    alumnus = Actor(user_id=alums[0], email="alum0@example.com", role=Role.ALUMNUS)
    assert outreach.digests(alumnus)[0].emails == outreach_mail.DigestCounts()  # the digest, not its emails


def _recruiter(admin: Actor) -> Actor:
    user_id = accounts.add_user(admin, "rec@example.com", "Rita Recruiter", Role.RECRUITER).user_id
    return Actor(user_id=user_id, email="rec@example.com", role=Role.RECRUITER)


def _publish_job(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("insert into public.jobs (title, department, location, status)"
                             " values ('Backend Engineer', 'Engineering', 'Berlin', 'published')"))


# --- failures and retries ----------------------------------------------------------------------

def _now(engine) -> datetime:
    """The worker's "now" for these tests: the next whole minute by the database's clock,
    which stamped the queued emails (a fixed date would be in their past or future)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("select date_trunc('minute', now()) + interval '1 minute'")).scalar_one()


def test_a_temporary_failure_is_retried_after_a_minute_then_sent(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    smtp.script = ["451 4.3.0 " + SERVER_SECRET]
    assert f"will retry at {now + timedelta(minutes=1):%H:%M} UTC" in outreach_mail.deliver(email_id, now)
    state = _state(clean_db, email_id)
    assert (state.status, state.attempts, state.next_attempt_at) == ("queued", 1, now + timedelta(minutes=1))
    assert state.last_error == "The mail server asked to try again later (code 451)."
    assert SERVER_SECRET not in state.last_error
    [shown] = alumni.invitation_emails(admin, [alumni.list_roster(admin, search="ada").rows[0].id]).values()
    retry = f"{now + timedelta(minutes=1):%H:%M}"
    assert shown.describe().startswith(f"Will retry at {retry} UTC: The mail server asked")

    assert outreach_mail.deliver(email_id, now + timedelta(seconds=30)).startswith("not sent: not due")
    assert outreach_mail.due_emails(now + timedelta(seconds=30)) == []
    assert outreach_mail.due_emails(now + timedelta(minutes=1)) == [email_id]
    assert outreach_mail.deliver(email_id, now + timedelta(minutes=1)) == "sent"
    assert (_state(clean_db, email_id).status, len(smtp.messages)) == ("sent", 1)


def test_temporary_failures_back_off_then_give_up(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    smtp.script = ["421 4.7.0 busy"] * 10
    at, waits = now, []
    for _ in range(outreach_mail.MAX_ATTEMPTS):
        outreach_mail.deliver(email_id, at)
        state = _state(clean_db, email_id)
        waits.append(state.next_attempt_at - at)
        at = state.next_attempt_at
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert (state.status, state.attempts) == ("failed", 4)
    assert outreach_mail.deliver(email_id, at + timedelta(hours=1)).startswith("not sent: not due")
    assert smtp.messages == []


def test_a_refusal_fails_at_once_with_our_words_only(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    smtp.script = ["554 5.7.1 " + SERVER_SECRET]
    assert "gave up" in outreach_mail.deliver(email_id, now)
    state = _state(clean_db, email_id)
    assert (state.status, state.attempts, state.last_error) == (
        "failed", 1, "The mail server refused the email (code 554).")
    assert outreach_mail.due_emails(now + timedelta(hours=1)) == []


def test_an_unreachable_server_is_a_temporary_failure(clean_db, admin, monkeypatch):
    config = replace(settings(), smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    monkeypatch.setattr(mail, "settings", lambda: config)
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    outreach_mail.deliver(email_id, now)
    state = _state(clean_db, email_id)
    assert (state.status, state.last_error) == (
        "queued", "Could not reach the mail server (SMTP_HOST, SMTP_PORT), or it hung up.")


def test_a_refused_password_is_never_repeated_or_kept():
    failure = mail._failure(smtplib.SMTPAuthenticationError(535, b"5.7.8 bad password hunter2 for bob"))
    assert not failure.temporary and "hunter2" not in failure.reason and "bob" not in failure.reason
    assert "SMTP_USER" in failure.reason


# --- never twice -------------------------------------------------------------------------------

def test_workers_racing_for_an_email_send_it_once(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: outreach_mail.deliver(email_id, now), range(4)))
    assert outcomes.count("sent") == 1 and len(smtp.messages) == 1
    # A retried task (procrastinate's, or one queued again by the sweep) finds it sent.
    assert outreach_mail.deliver(email_id, now + timedelta(hours=1)).startswith("not sent")
    in_a_thread(background_tasks.send_outreach_email, email_id=str(email_id))
    assert len(smtp.messages) == 1 and _state(clean_db, email_id).attempts == 1


def test_a_worker_that_died_while_sending_leaves_a_failure_not_a_second_email(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    now = _now(clean_db)
    assert outreach_mail.claim(email_id, now) is not None  # … and the worker died
    assert outreach_mail.due_emails(now + timedelta(minutes=5)) == []
    assert outreach_mail.due_emails(now + timedelta(minutes=11)) == []
    state = _state(clean_db, email_id)
    assert (state.status, state.last_error) == ("failed", outreach_mail.STUCK_MESSAGE)
    assert smtp.messages == []


def test_a_newer_invitation_replaces_a_waiting_one(clean_db, admin, smtp):
    ada = _invite_ada(admin)
    assert alumni.send_invitations(admin, [ada]).queued == 1
    now = _now(clean_db)
    first, second = _email_ids(clean_db)
    assert outreach_mail.deliver(first, now) == f"not sent: {outreach_mail.REPLACED_MESSAGE}"
    assert outreach_mail.deliver(second, now) == "sent"
    assert len(smtp.messages) == 1
    assert alumni.invitation(_token(smtp.bodies()[0])).usable
    assert alumni.invitation_emails(admin, [ada])[ada].describe() == "Sent"


def test_the_sweep_queues_due_emails_once(clean_db, admin, smtp, monkeypatch):
    monkeypatch.setattr(outreach_mail, "defer", lambda ids: None)  # the page could not queue them
    alumni.import_roster(admin, ROSTER)
    alumni.send_invitations(admin)

    async def sweep_twice() -> None:
        async with task_queue.app.open_async():
            for _ in range(2):
                await background_tasks.defer_due_emails(timestamp=int(time.time()))

    in_a_thread(asyncio.run, sweep_twice())
    with clean_db.connect() as conn:
        queued = conn.execute(sa.text("select count(*) from procrastinate.procrastinate_jobs"
                                      " where task_name = :name"),
                              {"name": outreach_mail.SEND_EMAIL_NAME}).scalar_one()
    assert queued == 2  # one per email, however many sweeps
    in_a_thread(task_queue.run, wait=False)
    assert len(smtp.messages) == 2


def test_an_alumnus_deactivated_before_the_worker_ran_gets_no_digest(clean_db, admin, smtp):
    recruiter = _recruiter(admin)
    _kept, gone = (accounts.add_user(admin, f"{who}@example.com", who, Role.ALUMNUS).user_id
                  for who in ("kept", "gone"))
    _publish_job(clean_db)
    assert outreach.send_digest(recruiter, ["Engineering"]).queued == 2
    accounts.set_active(admin, gone, False)
    in_a_thread(task_queue.run, wait=False)
    assert [to for to, _ in smtp.messages] == [["kept@example.com"]]
    [digest] = outreach.digests(recruiter)
    assert (digest.emails.sent, digest.emails.failed) == (1, 1)
    with clean_db.connect() as conn:
        reason = conn.execute(sa.text(
            "select last_error from public.outreach_emails where recipient_id = :id"),
            {"id": gone}).scalar_one()
    assert reason == outreach_mail.NO_ACCOUNT_MESSAGE


def _email_job_of_a_dead_worker(engine, email_id: UUID) -> int:
    """The email's job left "doing" by a worker whose last heartbeat was an hour ago."""
    with engine.begin() as conn:
        conn.execute(sa.text("delete from procrastinate.procrastinate_jobs"))  # the page's own
        worker = conn.execute(sa.text(
            "insert into procrastinate.procrastinate_workers (last_heartbeat)"
            " values (now() - interval '1 hour') returning id")).scalar_one()
        lock = outreach_mail.send_lock(email_id)
        return conn.execute(sa.text(
            "insert into procrastinate.procrastinate_jobs (queue_name, task_name, lock, queueing_lock,"
            " args, status, worker_id) values (:queue, :task, :lock, :lock, cast(:args as jsonb),"
            " 'doing', :worker) returning id"),
            {"queue": task_queue.MAIL_QUEUE, "task": outreach_mail.SEND_EMAIL_NAME, "lock": lock,
             "args": json.dumps({"email_id": str(email_id)}), "worker": worker}).scalar_one()


def _recover_and_run() -> list:
    async def recover():
        async with task_queue.app.open_async():
            return await task_queue.recover_stalled_jobs(background_tasks.BEFORE_RETRY)
    recovered = in_a_thread(asyncio.run, recover())
    in_a_thread(task_queue.run, wait=False)
    return recovered


def test_a_dead_workers_email_is_a_failure_at_once_and_its_job_ends(clean_db, admin, smtp):
    """Issue 17, finding 3: the job no longer stays "doing" with the email's lock."""
    email_id = _invited_ada_email(clean_db, admin)
    assert outreach_mail.claim(email_id) is not None  # … and the worker died sending
    job_id = _email_job_of_a_dead_worker(clean_db, email_id)
    [recovered] = _recover_and_run()
    assert (recovered.job_id, recovered.retried) == (job_id, True)
    state = _state(clean_db, email_id)
    assert (state.status, state.last_error) == ("failed", outreach_mail.STUCK_MESSAGE)  # not after 10 min
    assert smtp.messages == []
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select status::text from procrastinate.procrastinate_jobs"
                                    " where id = :id"), {"id": job_id}).scalar_one() == "succeeded"


def test_a_dead_workers_email_not_yet_claimed_is_sent_once(clean_db, admin, smtp):
    email_id = _invited_ada_email(clean_db, admin)
    _email_job_of_a_dead_worker(clean_db, email_id)
    _recover_and_run()
    assert len(smtp.messages) == 1 and _state(clean_db, email_id).status == "sent"
