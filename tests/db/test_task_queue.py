"""The background worker: procrastinate's queue in its own schema, the daily purge it
runs, and `portal worker`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from uuid import uuid4

import pytest
import sqlalchemy as sa
from procrastinate import periodic

from portal import db, migrations, task_queue
from portal.db import act_as
from portal.models import Actor, Role
from services import background_tasks
from tests.db.rows import add_candidate, add_job, candidate_emails
from tests.support import in_a_thread, portal_command

QUEUE_TABLES = {"procrastinate_jobs", "procrastinate_workers", "procrastinate_periodic_defers",
                "procrastinate_events"}


# --- the schema ------------------------------------------------------------------------------

def test_the_queue_lives_in_its_own_schema(engine):
    with engine.connect() as conn:
        tables = set(conn.execute(sa.text(
            "select tablename from pg_tables where schemaname = 'procrastinate'")).scalars())
        in_public = conn.execute(sa.text(
            "select relname from pg_class where relnamespace = 'public'::regnamespace"
            " and relname like 'procrastinate%' union all select proname from pg_proc"
            " where pronamespace = 'public'::regnamespace and proname like 'procrastinate%'"
        )).scalars().all()
    assert tables == QUEUE_TABLES
    assert in_public == []


@pytest.mark.parametrize("actor", [Actor.visitor(), Actor(user_id=uuid4(), email="a@b.test",
                                                           role=Role.ADMIN)], ids=["anon", "admin"])
@pytest.mark.parametrize("sql", ["select * from procrastinate.procrastinate_jobs",
                                 "select procrastinate.procrastinate_register_worker_v1()"])
def test_api_roles_cannot_reach_the_queue(engine, actor, sql):
    with engine.connect() as conn, conn.begin():
        act_as(conn, actor)
        with pytest.raises(sa.exc.ProgrammingError) as refused:
            conn.execute(sa.text(sql))
    assert refused.value.orig.sqlstate == "42501"  # insufficient privilege


def test_queue_functions_are_closed_to_api_roles_and_fix_their_search_path(engine):
    with engine.connect() as conn:
        functions = conn.execute(sa.text(
            "select p.proname, coalesce(p.proconfig, '{}') as config,"
            " has_function_privilege('anon', p.oid, 'execute') as anon,"
            " has_function_privilege('authenticated', p.oid, 'execute') as authenticated"
            " from pg_proc p where p.pronamespace = 'procrastinate'::regnamespace")).all()
    assert len(functions) > 10
    assert [f.proname for f in functions if "search_path=procrastinate" not in f.config] == []
    assert [f.proname for f in functions if f.anon or f.authenticated] == []


def test_a_migration_holds_the_installed_procrastinates_schema():
    # A new procrastinate ships its schema changes as files in sql/migrations: until a
    # migration here applies (and names) the newest, the worker would run on an old schema.
    shipped = sorted(f.name for f in resources.files("procrastinate.sql.migrations").iterdir()
                     if f.name.endswith(".sql"))
    ours = "\n".join(m.sql for m in migrations.discover())
    assert shipped[-1] in ours


# --- the daily purge -------------------------------------------------------------------------

def test_the_purge_is_deferred_daily_once_per_tick():
    task_queue.app.perform_import_paths()
    daily = task_queue.app.periodic_registry.periodic_tasks[(background_tasks.PURGE_NAME, "daily")]
    assert daily.cron == "17 3 * * *"
    assert daily.task is background_tasks.purge_expired_candidates
    assert daily.task.queue == task_queue.MAINTENANCE_QUEUE in task_queue.QUEUES
    assert daily.task.queueing_lock == daily.task.lock == background_tasks.PURGE_NAME


def test_unused_question_words_are_forgotten_daily():
    task_queue.app.perform_import_paths()
    daily = task_queue.app.periodic_registry.periodic_tasks[(background_tasks.FORGET_WORDS_NAME, "daily")]
    assert daily.cron == "47 3 * * *"
    assert daily.task is background_tasks.forget_unused_question_words
    assert daily.task.queue == task_queue.MAINTENANCE_QUEUE


def test_two_workers_defer_one_purge_per_tick_and_never_queue_a_second(clean_db):
    tick = 1_800_000_000
    task_queue.app.perform_import_paths()
    registry = task_queue.app.periodic_registry
    daily = registry.periodic_tasks[(background_tasks.PURGE_NAME, "daily")]

    async def defer(*ticks: int) -> None:
        # Each deferrer is what one worker runs beside its jobs.
        async with task_queue.app.open_async():
            for at in ticks:
                for deferrer in (periodic.PeriodicDeferrer(registry), periodic.PeriodicDeferrer(registry)):
                    await deferrer.defer_jobs([(daily, at)])

    in_a_thread(asyncio.run, defer(tick))
    assert queued(clean_db) == [(background_tasks.PURGE_NAME, "todo", tick)]
    # The next day's tick, while that one still waits: the queueing lock keeps it out.
    in_a_thread(asyncio.run, defer(tick + 86_400))
    assert queued(clean_db) == [(background_tasks.PURGE_NAME, "todo", tick)]


def queued(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "select task_name, status::text, (args ->> 'timestamp')::bigint"
            " from procrastinate.procrastinate_jobs order by id"))]


def test_a_worker_runs_the_purge_it_finds_queued(clean_db):
    job = add_job(clean_db, "Data Analyst")
    add_candidate(clean_db, "old-rejected@x.org", days_ago=400, applications={job: ("rejected", 400)})
    add_candidate(clean_db, "recently-rejected@x.org", days_ago=400,
                  applications={job: ("rejected", 10)})
    # Deferred from sync code, as a page or the CLI would; run by the worker's async side.
    with task_queue.app.open():
        job_id = background_tasks.purge_expired_candidates.defer(timestamp=int(time.time()))
    assert candidate_emails(clean_db) == {"old-rejected@x.org", "recently-rejected@x.org"}

    in_a_thread(task_queue.run, wait=False)

    assert candidate_emails(clean_db) == {"recently-rejected@x.org"}
    with clean_db.connect() as conn:
        status = conn.execute(sa.text("select status::text from procrastinate.procrastinate_jobs"
                                      " where id = :id"), {"id": job_id}).scalar_one()
        purged = conn.execute(sa.text("select details ->> 'candidates' from public.audit_log"
                                      " where action = 'privacy.purged'")).scalar_one()
    assert (status, purged) == ("succeeded", "1")


def test_the_purge_is_retried_only_while_the_database_is_down():
    retry = background_tasks.purge_expired_candidates.retry_strategy
    job = background_tasks.purge_expired_candidates.configure().job
    assert retry.get_retry_decision(exception=db.DatabaseUnavailable("down"), job=job) is not None
    assert retry.get_retry_decision(exception=ValueError("bug"), job=job) is None


# --- `portal worker` -------------------------------------------------------------------------

def test_cli_worker_with_an_unreachable_database_is_one_line_and_nonzero():
    result = portal_command("worker", env={"DATABASE_URL": "postgresql://u:s3cret@127.0.0.1:9/x"})
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: Cannot reach")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_cli_worker_says_where_it_runs_and_stops_on_sigterm(clean_db):
    worker = subprocess.Popen([sys.executable, "-m", "portal_cli", "worker"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        started = worker.stdout.readline()
        assert started.startswith("worker started on ") and "/boomerang" in started, started
        assert "queues: maintenance" in started
        wait_until_listening(clean_db)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=120)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert out == "worker stopped\n" and "Traceback" not in err
    # A graceful stop: the worker took itself off the list of running workers.
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from procrastinate.procrastinate_workers")
                            ).scalar_one() == 0


def wait_until_listening(engine, attempts: int = 600) -> None:
    """Until the worker listens for new jobs, which it starts after taking over SIGTERM."""
    for _ in range(attempts):
        with engine.connect() as conn:
            if conn.execute(sa.text(
                    "select 1 from pg_stat_activity where application_name = 'boomerang-worker'"
                    " and query ilike 'listen%'")).first():
                return
        time.sleep(0.1)
    pytest.fail("the worker never listened for jobs")
