"""Saying in words what row-level security would refuse anyway, before trying."""

from __future__ import annotations

import sqlalchemy as sa

from portal.errors import PermissionDenied


def require_admin(conn: sa.Connection, what: str) -> None:
    if not conn.execute(sa.text("select private.is_admin()")).scalar():
        raise PermissionDenied(f"Only admins can {what}.")


def require_staff(conn: sa.Connection, what: str) -> None:
    if not conn.execute(sa.text("select private.is_staff()")).scalar():
        raise PermissionDenied(f"Only recruiters and admins can {what}.")
