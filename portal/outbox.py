"""The outbox's queue: one worker task per email row of public.outreach_emails (alumni
invitations, job digests, messages to candidates), deferred after the transaction that
queued the rows. The worker's task (services/background_tasks.py) claims, composes and
sends each (services/referrals/outreach_mail.py); this module only names that task and
queues it, so that any capability may queue an email without knowing how it is sent."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from procrastinate.exceptions import AlreadyEnqueued

from portal import task_queue

log = logging.getLogger(__name__)

SEND_EMAIL_NAME = "outreach.send_email"


def send_lock(email_id: UUID | str) -> str:
    return f"{SEND_EMAIL_NAME}:{email_id}"


def defer(email_ids: Iterable[UUID]) -> None:
    """Queue the worker's tasks for committed emails, after the page's transaction. If
    the queue cannot be reached, the minute's sweep queues them instead."""
    try:
        with task_queue.app.open():
            for email_id in email_ids:
                try:
                    _deferrer(email_id).defer(email_id=str(email_id))
                except AlreadyEnqueued:
                    pass  # the sweep was quicker
    except Exception as error:  # noqa: BLE001 - the emails wait in the database either way
        log.warning("Emails not queued now (%s); the worker's sweep will.", type(error).__name__)


def _deferrer(email_id: UUID | str):
    return task_queue.app.configure_task(SEND_EMAIL_NAME, queue=task_queue.MAIL_QUEUE,
                                         queueing_lock=send_lock(email_id), lock=send_lock(email_id))


async def defer_async(email_ids: Iterable[UUID]) -> int:
    """The sweep's deferring (inside the worker's open app); how many were queued."""
    queued = 0
    for email_id in email_ids:
        try:
            await _deferrer(email_id).defer_async(email_id=str(email_id))
            queued += 1
        except AlreadyEnqueued:
            pass
    return queued


