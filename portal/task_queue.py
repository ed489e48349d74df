"""The background task queue: procrastinate on the portal's own database.

Tasks are deferred into tables in the `procrastinate` schema (migration
20261124000000_worker.sql) and run by `portal worker`; as many workers as needed may
run against the same database. Workers run tasks with the owner's rights
(`portal.db.owner_transaction()`), as the CLI does.

The tasks themselves are use cases, so they live in `services/background_tasks.py`;
the worker imports that module (`TASK_MODULES`) to know them.

A worker that dies (SIGKILL, a lost machine) cannot mark its jobs done: they would stay
"doing" for ever and hold their locks. Every worker beats a heartbeat into the database
(`settings().worker_heartbeat`, 10 s); one silent for `STALLED_AFTER_BEATS` beats has died,
and `recover_stalled_jobs` hands its jobs back: each task first says, through its entry in
`recover_stalled_jobs`'s `before_retry`, what the interrupted run may have left (a post or
an email being sent becomes a failure to look at, never a second send), then the job is
queued again (or, when the same work is already queued, ended as failed).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import procrastinate
import psycopg
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status

from portal import db, embedded
from portal.settings import settings

SCHEMA = "procrastinate"
TASK_MODULES = ["services.background_tasks"]
# Housekeeping that may wait (the retention purge).
MAINTENANCE_QUEUE = "maintenance"
# Scheduled social posts sent by webhook or API: minutes matter, so apart from the purge.
PUBLISHING_QUEUE = "publishing"
# Alumni invitations and job digests, an email a task: hundreds at once must not hold up
# the scheduled posts.
MAIL_QUEUE = "mail"
QUEUES = [MAINTENANCE_QUEUE, PUBLISHING_QUEUE, MAIL_QUEUE]

# Procrastinate's SQL names its tables unqualified. The search_path is set by a statement
# on each new connection rather than by libpq's `options=-c search_path=…`, which
# Supabase's pooler (Supavisor) does not pass on.
_SET_SEARCH_PATH = f"set search_path to {SCHEMA}, public"


def _use_queue_schema(conn: psycopg.Connection | psycopg.AsyncConnection):
    # The pool calls this on every new connection: awaited by the worker's async pool,
    # called plainly by the sync pool `app.open()` makes for deferring from sync code.
    if isinstance(conn, psycopg.AsyncConnection):
        return _use_queue_schema_async(conn)
    conn.execute(_SET_SEARCH_PATH)
    conn.commit()
    return None


async def _use_queue_schema_async(conn: psycopg.AsyncConnection) -> None:
    await conn.execute(_SET_SEARCH_PATH)
    await conn.commit()


def _conninfo() -> str:
    # Read for each new connection, not at import: the embedded server starts only then.
    return embedded.libpq_url(db.database_url())


app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(
        conninfo=_conninfo,
        kwargs={"connect_timeout": 5, "application_name": "boomerang-worker"},
        configure=_use_queue_schema,
    ),
    import_paths=TASK_MODULES,
)


# A worker whose heartbeat is older than this many beats has died.
STALLED_AFTER_BEATS = 3

log = logging.getLogger(__name__)


def stalled_after() -> float:
    """Seconds of silence after which a worker counts as dead."""
    return STALLED_AFTER_BEATS * settings().worker_heartbeat


@dataclass(frozen=True)
class Workers:
    alive: int  # workers whose last heartbeat is younger than stalled_after()
    last_beat_seconds: float | None  # since the latest heartbeat of any worker; None: never one

    def describe(self) -> str:
        if self.alive:
            return (f"workers: {self.alive} alive, last heartbeat {self.last_beat_seconds:.0f} s ago")
        return ("workers: none alive (scheduled posts and emails wait until `portal worker` runs"
                + (f"; the last heartbeat was {self.last_beat_seconds:.0f} s ago)"
                   if self.last_beat_seconds is not None else ")"))


def workers() -> Workers:
    """How many workers are alive, by their heartbeats (for /healthz)."""
    with db.owner_transaction() as conn:
        row = conn.exec_driver_sql(
            "select count(*) filter (where last_heartbeat > now() - make_interval(secs => %(stalled)s)),"
            " extract(epoch from now() - max(last_heartbeat))::float8"
            " from procrastinate.procrastinate_workers", {"stalled": stalled_after()}).one()
    return Workers(row[0], row[1])


def run(*, wait: bool = True) -> None:
    """Run a worker on `QUEUES` until SIGINT/SIGTERM (each lets the running task finish),
    or, with `wait=False`, until nothing is due. It beats every `worker_heartbeat` seconds,
    and at start takes dead workers off the list (their jobs then count as stalled)."""
    app.run_worker(queues=QUEUES, wait=wait, update_heartbeat_interval=settings().worker_heartbeat,
                   stalled_worker_timeout=stalled_after())


@dataclass(frozen=True)
class Recovered:
    job_id: int
    task_name: str
    retried: bool  # False: ended as failed, the same work being queued already


async def recover_stalled_jobs(
        before_retry: Mapping[str, Callable[[dict], None]] | None = None,
        seconds_since_heartbeat: float | None = None) -> list[Recovered]:
    """Hand back the jobs of workers that died while running them ("doing", their worker
    silent for `stalled_after()` seconds or gone). For each, `before_retry[task name]` (if
    any) is called with the job's arguments first, then the job is queued again; when the
    same work waits in the queue already (its queueing lock is taken), it is ended as failed
    instead. Needs the app open."""
    manager = app.job_manager
    if seconds_since_heartbeat is None:
        seconds_since_heartbeat = stalled_after()
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
    recovered = []
    for job in stalled:
        hook = (before_retry or {}).get(job.task_name)
        if hook is not None:  # the services' own transactions: off the worker's event loop
            await asyncio.to_thread(hook, dict(job.task_kwargs))
        try:
            # Due at once: a minute back, as the database's clock may run behind this
            # machine's (procrastinate's default, "now" here, could be ahead of the database).
            await manager.retry_job(job, retry_at=datetime.now(UTC) - timedelta(minutes=1))
            retried = True
        except UniqueViolation:  # the same work waits in the queue (its queueing lock)
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            retried = False
        log.warning("Job %s (%s) was running on a worker that stopped; %s.", job.id, job.task_name,
                    "queued again" if retried else "ended as failed: the same work is queued already")
        recovered.append(Recovered(job.id, job.task_name, retried))
    return recovered


# procrastinate's log actions for a task run's end (`Job … ended with status: …`).
_TASK_OUTCOMES = {"job_success", "job_error", "job_error_retry", "job_aborted", "job_aborted_retry"}


def log_task_outcomes() -> None:
    """Log one line per task run, and procrastinate's warnings and errors; an error
    without its traceback (the exception's first line)."""
    logging.getLogger("procrastinate.worker").setLevel(logging.INFO)
    logging.getLogger(__name__).setLevel(logging.INFO)  # the recovered jobs of dead workers
    # Not a warning for each of the pool's reconnection attempts: a worker that loses the
    # database stops, with one error that says so.
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    for handler in logging.getLogger().handlers:
        # On the handler: the worker logs through child loggers, which a logger's filter
        # would not see.
        handler.addFilter(lambda record: record.levelno >= logging.WARNING
                          or getattr(record, "action", None) in _TASK_OUTCOMES)
        handler.setFormatter(_OneLineRecords("%(asctime)s %(levelname)s %(message)s"))


class _OneLineRecords(logging.Formatter):
    """A record on one line: the message's own line breaks folded, an exception as its
    first line."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(line.strip() for line in super().format(record).splitlines() if line.strip())

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return "".join(traceback.format_exception_only(ei[1])).strip().splitlines()[0]
