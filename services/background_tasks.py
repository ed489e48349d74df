"""What the background worker runs (`portal worker`; the queue is `portal.task_queue`).

Each task calls the same service functions the pages and the CLI call, with the owner's
rights: a task acts for nobody in particular.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from procrastinate import RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from portal import db, task_queue
from portal.task_queue import MAIL_QUEUE, MAINTENANCE_QUEUE, PUBLISHING_QUEUE, app
from portal.words import counted
from services.candidates import questions
from services.people import privacy
from services.referrals import outreach_mail
from services.social import connections as social_connections
from services.social import delivery as social_delivery

PURGE_CRON = "17 3 * * *"  # daily at 03:17 UTC (procrastinate reads cron in UTC)
PURGE_NAME = "privacy.purge_expired"
FORGET_WORDS_CRON = "47 3 * * *"
FORGET_WORDS_NAME = "questions.forget_unused_words"

# A database that went away is worth trying again, after 5 s, 25 s, 2 min and 10 min;
# anything else would fail the same way again, and the next night's run comes anyway.
_RETRY_WHILE_DATABASE_DOWN = RetryStrategy(max_attempts=4, exponential_wait=5,
                                           retry_exceptions=[db.DatabaseUnavailable])


# Every worker defers the periodic job, but the database records one job per tick, so a
# tick runs once however many workers there are. The queueing lock keeps a late or
# retried purge from having a second one queued behind it; the lock keeps one deferred by
# hand from running beside it.
@app.periodic(cron=PURGE_CRON, periodic_id="daily")
@app.task(name=PURGE_NAME, queue=MAINTENANCE_QUEUE, queueing_lock=PURGE_NAME, lock=PURGE_NAME,
          retry=_RETRY_WHILE_DATABASE_DOWN)
def purge_expired_candidates(timestamp: int) -> str:
    """Erase unsuccessful candidates past the retention period (`timestamp`: the tick it
    was deferred for, which procrastinate passes to periodic tasks)."""
    return privacy.purge_as_owner().purge_summary()


@app.periodic(cron=FORGET_WORDS_CRON, periodic_id="daily")
@app.task(name=FORGET_WORDS_NAME, queue=MAINTENANCE_QUEUE, queueing_lock=FORGET_WORDS_NAME,
          lock=FORGET_WORDS_NAME, retry=_RETRY_WHILE_DATABASE_DOWN)
def forget_unused_question_words(timestamp: int) -> str:
    """Drop from the similar-question vocabulary the words no published question uses any
    more (unpublished, merged, erased or reworded ones)."""
    with db.owner_transaction() as conn:
        forgotten = questions.forget_unused_words(conn)
    return f"Forgot {counted(forgotten, 'word')} no published question uses."


# --- automatic publishing (services/social/delivery.py) ---------------------------------------

DUE_POSTS_CRON = "* * * * *"
DUE_POSTS_NAME = "social.defer_due_posts"
DELIVER_POST_NAME = "social.deliver_post"


def delivery_lock(post_id: str) -> str:
    return f"{DELIVER_POST_NAME}:{post_id}"


@app.periodic(cron=DUE_POSTS_CRON, periodic_id="every minute")
@app.task(name=DUE_POSTS_NAME, queue=PUBLISHING_QUEUE, queueing_lock=DUE_POSTS_NAME, lock=DUE_POSTS_NAME)
async def defer_due_posts(timestamp: int) -> str:
    """Queue one delivery per due post. The queueing lock per post keeps a post that is
    still waiting (or retried by procrastinate) from being queued a second time; the claim
    in the database is what makes sending it twice impossible."""
    due = await asyncio.to_thread(social_delivery.due_posts)
    queued = 0
    for post_id in due:
        try:
            await deliver_post.configure(queueing_lock=delivery_lock(str(post_id)),
                                         lock=delivery_lock(str(post_id))).defer_async(post_id=str(post_id))
            queued += 1
        except AlreadyEnqueued:
            pass
    return f"{counted(len(due), 'post')} due, {queued} queued for sending."


@app.task(name=DELIVER_POST_NAME, queue=PUBLISHING_QUEUE, retry=_RETRY_WHILE_DATABASE_DOWN)
def deliver_post(post_id: str) -> str:
    """Send one due post by its channel's webhook or its network's API (the back-off after
    a failed attempt is the delivery's own, kept in the database)."""
    return social_delivery.deliver(UUID(post_id))


# --- connected pages' tokens (services/social/connections.py) ----------------------------------

REFRESH_TOKENS_CRON = "*/10 * * * *"
REFRESH_TOKENS_NAME = "social.refresh_connections"


@app.periodic(cron=REFRESH_TOKENS_CRON, periodic_id="every ten minutes")
@app.task(name=REFRESH_TOKENS_NAME, queue=PUBLISHING_QUEUE, queueing_lock=REFRESH_TOKENS_NAME,
          lock=REFRESH_TOKENS_NAME, retry=_RETRY_WHILE_DATABASE_DOWN)
def refresh_connections(timestamp: int) -> str:
    """Renew the tokens of connected pages before they expire (a quarter of their life, or
    half an hour, left)."""
    return social_connections.refresh_due()


# --- alumni invitations and job digests (services/referrals/outreach_mail.py) ----------------------------

DUE_EMAILS_NAME = "outreach.defer_due_emails"
SEND_EMAIL_NAME = outreach_mail.SEND_EMAIL_NAME


@app.periodic(cron=DUE_POSTS_CRON, periodic_id="every minute")
@app.task(name=DUE_EMAILS_NAME, queue=MAIL_QUEUE, queueing_lock=DUE_EMAILS_NAME, lock=DUE_EMAILS_NAME)
async def defer_due_emails(timestamp: int) -> str:
    """Queue the emails that are due and have no task waiting: retries after their
    back-off, and emails the page could not queue. The queueing lock per email keeps one
    from being queued twice; the claim in the database keeps it from being sent twice."""
    due = await asyncio.to_thread(outreach_mail.due_emails)
    queued = await outreach_mail.defer_async(due)
    return f"{counted(len(due), 'email')} due, {queued} queued for sending."


@app.task(name=SEND_EMAIL_NAME, queue=MAIL_QUEUE, retry=_RETRY_WHILE_DATABASE_DOWN)
def send_outreach_email(email_id: str) -> str:
    """Send one alumni invitation or digest email (its back-off is kept in the database)."""
    return outreach_mail.deliver(UUID(email_id))


# --- jobs of workers that died (portal/task_queue.py) ------------------------------------------

RECOVER_NAME = "queue.recover_stalled_jobs"
RECOVER_CRON = "* * * * *"

# What an interrupted run may have left, undone before its job is queued again: a post or an
# email being sent may be out, so it becomes a failure staff see (and schedule or send again
# themselves), never a second send. The other tasks are safe to run again as they are.
BEFORE_RETRY = {
    DELIVER_POST_NAME: lambda kwargs: social_delivery.worker_stopped(UUID(kwargs["post_id"])),
    SEND_EMAIL_NAME: lambda kwargs: outreach_mail.worker_stopped(UUID(kwargs["email_id"])),
}


@app.periodic(cron=RECOVER_CRON, periodic_id="every minute")
@app.task(name=RECOVER_NAME, queue=PUBLISHING_QUEUE, queueing_lock=RECOVER_NAME, lock=RECOVER_NAME)
async def recover_stalled_jobs(timestamp: int) -> str:
    """Hand back the jobs of workers that died while running them: a dead worker's job would
    otherwise stay "doing" and hold its lock (a post's, an email's) for ever."""
    recovered = await task_queue.recover_stalled_jobs(BEFORE_RETRY)
    return f"Recovered {counted(len(recovered), 'job')} of workers that stopped."


async def recover_at_start() -> int:
    """What a starting worker runs first: the jobs of workers already known dead."""
    async with app.open_async():
        return len(await task_queue.recover_stalled_jobs(BEFORE_RETRY))
