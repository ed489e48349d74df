"""/healthz on the real database: 200 while the database answers, and what it says of the
workers by their heartbeats (none, one alive, one gone silent)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal import task_queue
from portal.addresses import HEALTH_PATH
from web import routes


def health(client: TestClient) -> tuple[int, str]:
    answer = client.get(HEALTH_PATH)
    return answer.status_code, answer.text


def test_health_says_whether_a_worker_is_alive(clean_db):
    client = TestClient(Starlette(routes=routes.ROUTES))
    with clean_db.begin() as conn:
        conn.exec_driver_sql("delete from procrastinate.procrastinate_workers")
    status, text = health(client)
    assert status == 200 and text.startswith("ok\n")
    assert "workers: none alive" in text and "last heartbeat was" not in text

    with clean_db.begin() as conn:
        conn.exec_driver_sql("select procrastinate.procrastinate_register_worker_v1()")
    status, text = health(client)
    assert status == 200 and re.search(r"workers: 1 alive, last heartbeat \d+ s ago", text)

    with clean_db.begin() as conn:  # the worker has been silent for longer than a dead one
        conn.execute(sa.text("update procrastinate.procrastinate_workers set last_heartbeat ="
                             " now() - make_interval(secs => :s)"), {"s": task_queue.stalled_after() + 60})
    status, text = health(client)
    assert status == 200 and "workers: none alive" in text
    assert f"the last heartbeat was {task_queue.stalled_after() + 60:.0f} s ago" in text
