"""What the background worker runs (`portal worker`; the queue is `portal.task_queue`).

Each task calls the same service functions the pages and the CLI call, with the owner's
rights: a task acts for nobody in particular.
"""

from __future__ import annotations

from procrastinate import RetryStrategy

from portal import db
from portal.task_queue import MAINTENANCE_QUEUE, app
from services import privacy, questions

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
    return f"Forgot {forgotten} word(s) no published question uses."
