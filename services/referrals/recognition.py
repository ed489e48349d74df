"""Recognition for referrers: points and badges computed in the database from their
referrals' current stage, a leaderboard, and leaving it (a preference of one's own)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.db import transaction
from portal.errors import PermissionDenied
from portal.models import Actor, Role

# What each step earns; the database (private.referrer_scores) adds them up.
POINTS = {"referral": 10, "interview": 30, "hire": 100}
BADGES = {"First referral": "your first referral", "Talent scout": "five referrals",
          "Interview maker": "a referral reached interview", "First hire": "a referral was hired",
          "Hat trick": "three hires"}
REFERRER_ROLES = (Role.ALUMNUS, Role.EMPLOYEE)


@dataclass(frozen=True)
class Recognition:
    referrals: int = 0
    interviews: int = 0
    hires: int = 0
    points: int = 0
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standing:
    place: int
    full_name: str
    referrals: int
    interviews: int
    hires: int
    points: int
    badges: tuple[str, ...]
    is_me: bool


def my_recognition(actor: Actor) -> Recognition:
    with transaction(actor) as conn:
        row = conn.execute(sa.text("select * from private.my_recognition()")).first()
    if row is None:
        return Recognition()
    return Recognition(row.referrals, row.interviews, row.hires, row.points, tuple(row.badges))


def leaderboard(actor: Actor, limit: int = 20) -> list[Standing]:
    """The referrers with the most points, leaving out everyone who opted out."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text("select * from private.leaderboard(:limit)"), {"limit": limit}).all()
    return [Standing(**{**row._mapping, "badges": tuple(row.badges)}) for row in rows]


def opted_out(actor: Actor) -> bool:
    with transaction(actor) as conn:
        return bool(conn.execute(sa.text(
            "select leaderboard_opt_out from public.referrer_preferences where user_id = :me"),
            {"me": actor.user_id}).scalar())


def on_leaderboard_text(shown: bool) -> str:
    """What a referrer is told about their place on the leaderboard."""
    return ("You are on the leaderboard: alumni, employees and recruiters see your name and points."
            if shown else "You are off the leaderboard: nobody else sees your name or points there.")


def set_opt_out(actor: Actor, opt_out: bool) -> None:
    """Leave the leaderboard (or come back to it). Only referrers have a place on it."""
    if actor.role not in REFERRER_ROLES:
        raise PermissionDenied("Only alumni and employees have a place on the leaderboard.")
    with transaction(actor) as conn:
        conn.execute(sa.text(
            "insert into public.referrer_preferences (user_id, leaderboard_opt_out) values (:me, :out)"
            " on conflict (user_id) do update set leaderboard_opt_out = excluded.leaderboard_opt_out,"
            " updated_at = now()"), {"me": actor.user_id, "out": bool(opt_out)})
