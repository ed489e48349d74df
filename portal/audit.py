"""The audit log: who did what, written as the acting user inside their transaction."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def record(conn: Connection, action: str, subject_type: str, subject_id: str | None,
           details: dict[str, str] | None = None) -> None:
    conn.execute(
        sa.text("insert into public.audit_log (action, subject_type, subject_id, details)"
                " values (:action, :type, :id, cast(:details as jsonb))"),
        {"action": action, "type": subject_type, "id": subject_id,
         "details": json.dumps(details or {})},
    )
