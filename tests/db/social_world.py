"""People, a posting, channels and topics for social-post tests, written directly as the
owner (the admin pages for channels and social roles are not what these tests are about)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa

from portal.models import Actor, Role
from services.demo import DEMO_PASSWORD
from services.people.accounts import create_account

PASSWORD = DEMO_PASSWORD  # so that the browser tests sign in as the demo accounts do


@dataclass(frozen=True)
class SocialWorld:
    publisher: Actor  # writes posts
    approver: Actor  # writes and approves
    second_approver: Actor
    recruiter: Actor  # staff without a social role
    admin: Actor
    job: UUID
    x: UUID  # channel "Company X", external
    slack: UUID  # channel "Team Slack", internal
    topic: UUID  # "Open roles"
    retired_topic: UUID  # "Old campaign"


def make_world(engine: sa.Engine) -> SocialWorld:
    people = {}
    with engine.begin() as conn:
        for who, role, social in (("publisher", Role.RECRUITER, ["publisher"]),
                                  ("approver", Role.RECRUITER, ["publisher", "approver"]),
                                  ("second_approver", Role.RECRUITER, ["approver"]),
                                  ("recruiter", Role.RECRUITER, []),
                                  ("admin", Role.ADMIN, [])):
            email = f"{who.replace('_', '-')}@social.example.com"
            name = who.replace("_", " ").title()
            user_id = create_account(conn, email, name, role, PASSWORD)
            people[who] = Actor(user_id=user_id, email=email, role=role, full_name=name)
            for social_role in social:
                conn.execute(sa.text("insert into public.social_roles (user_id, role)"
                                     " values (:u, cast(:r as public.social_role))"),
                             {"u": user_id, "r": social_role})
        job = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, remote_policy, salary_min, salary_max,"
            " currency, status, description) values ('Data Engineer', 'Data', 'Berlin', 'hybrid', 70000,"
            " 90000, 'EUR', 'published', 'Build our pipelines.') returning id")).scalar_one()
        channel_ids = [conn.execute(sa.text(
            "insert into public.social_channels (name, network, audience)"
            " values (:name, cast(:network as public.social_network), :audience) returning id"),
            {"name": name, "network": network, "audience": audience}).scalar_one()
            for name, network, audience in (("Company X", "x", "external"),
                                            ("Team Slack", "slack", "internal"))]
        conn.execute(sa.text("insert into public.social_channels (name, network, audience, active)"
                             " values ('Old Facebook', 'facebook', 'external', false)"))
        topic = conn.execute(sa.text("insert into public.social_topics (name)"
                                     " values ('Open roles') returning id")).scalar_one()
        retired = conn.execute(sa.text("insert into public.social_topics (name, retired_at)"
                                       " values ('Old campaign', now()) returning id")).scalar_one()
    return SocialWorld(**people, job=job, x=channel_ids[0], slack=channel_ids[1], topic=topic,
                       retired_topic=retired)


@dataclass(frozen=True)
class Team:
    publisher: Actor
    approver: Actor
    editor: Actor
    recruiter: Actor  # staff without a social role
    admin: Actor
    job: UUID
    channel: UUID
    topic: UUID


def make_team(engine: sa.Engine) -> Team:
    """A publisher, an approver, an editor, a recruiter without a social role and an admin, with
    a published job, a LinkedIn channel and a topic."""
    actors = {}
    with engine.begin() as conn:
        for who, role, social in (("publisher", Role.RECRUITER, ["publisher"]),
                                  ("approver", Role.RECRUITER, ["publisher", "approver"]),
                                  ("editor", Role.RECRUITER, ["editor"]),
                                  ("recruiter", Role.RECRUITER, []),
                                  ("admin", Role.ADMIN, [])):
            email = f"{who}@posts.test"
            user_id = create_account(conn, email, who.title(), role, None)
            actors[who] = Actor(user_id=user_id, email=email, role=role, full_name=who.title())
            for name in social:
                conn.execute(sa.text("insert into public.social_roles (user_id, role)"
                                     " values (:u, cast(:r as public.social_role))"),
                             {"u": user_id, "r": name})
        job = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, status)"
            " values ('Data Engineer', 'Data', 'Berlin', 'published') returning id")).scalar_one()
        channel = conn.execute(sa.text(
            "insert into public.social_channels (name, network, audience)"
            " values ('Company LinkedIn', 'linkedin', 'external') returning id")).scalar_one()
        topic = conn.execute(sa.text("insert into public.social_topics (name)"
                                     " values ('Open roles') returning id")).scalar_one()
    return Team(**actors, job=job, channel=channel, topic=topic)
