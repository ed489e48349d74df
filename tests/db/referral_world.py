"""The referral tests' world: a published job, two referrers and a referral each.
Importing this starts nothing; the `referral_world` fixture is in tests/db/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import sqlalchemy as sa

from portal.models import Actor, Role
from services.people.accounts import create_account
from services.referrals import pipeline, rewards


@dataclass
class ReferralWorld:
    recruiter: Actor
    admin: Actor
    priya: Actor
    tom: Actor
    job: UUID
    referral: UUID
    other: UUID


def _actor(conn, email: str, name: str, role: Role) -> Actor:
    return Actor(user_id=create_account(conn, email, name, role, None), email=email, role=role,
                 full_name=name)


def make_referral_world(engine: sa.Engine) -> ReferralWorld:
    """A recruiter, an admin, two referrers and their referral each for one published job."""
    with engine.begin() as conn:
        people = {key: _actor(conn, f"{key}@example.com", key.title(), role) for key, role in (
            ("recruiter", Role.RECRUITER), ("admin", Role.ADMIN), ("priya", Role.ALUMNUS),
            ("tom", Role.EMPLOYEE))}
        job = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values ('Data Engineer', 'Engineering', 'Berlin', 'published') returning id")).scalar_one()
        ids = []
        for name, referrer in (("Ada Lovelace", "priya"), ("Alan Turing", "tom")):
            candidate = conn.execute(sa.text(
                "insert into public.candidates (full_name, email) values (:n, :e) returning id"),
                {"n": name, "e": name.split()[0].lower() + "@mail.test"}).scalar_one()
            ids.append(conn.execute(sa.text(
                "insert into public.referrals (referrer_id, candidate_id, job_id) values (:r, :c, :j)"
                " returning id"), {"r": people[referrer].user_id, "c": candidate, "j": job}).scalar_one())
    return ReferralWorld(**people, job=job, referral=ids[0], other=ids[1])


def hire(world: ReferralWorld, start: date, shares=None):
    pipeline.move(world.recruiter, world.referral, "hired")
    return rewards.record_start(world.recruiter, world.referral, start, shares)
