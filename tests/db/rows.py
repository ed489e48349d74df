"""Rows written as the database's owner, for tests to start from (no service, no RLS).
Importing this starts nothing."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from portal.models import Actor, Role
from services.people.accounts import create_account
from services.postings.editing import PostingForm
from services.postings.tracking import TrackedSource

# A complete posting form, as a recruiter fills it in.
POSTING_FORM = PostingForm(title="Data Engineer", department="Data", location="Berlin",
                           remote_policy="hybrid", employment_type="full_time", salary_min=60000,
                           salary_max=80000, currency="eur", description="## About\n\nPipelines.",
                           hiring_manager="Ada Lovelace", referral_bonus=2000)


def add_job(engine: sa.Engine, title: str = "Data Analyst", status: str = "published", *,
            department: str = "Analytics", **columns) -> UUID:
    """A job in `status`; `columns` sets any other column of public.jobs (salary_min, currency…)."""
    values = {"title": title, "department": department, "location": "Berlin", **columns}
    names = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    with engine.begin() as conn:
        return conn.execute(sa.text(
            f"insert into public.jobs ({names}, status)"  # noqa: S608 - names are the caller's
            f" values ({placeholders}, cast(:status as public.job_status)) returning id"),
            {**values, "status": status}).scalar_one()


def add_account(engine: sa.Engine, email: str, name: str | None = None,
                role: Role = Role.CANDIDATE) -> Actor:
    """An account; its name is the email's local part unless given."""
    name = name or email.split("@")[0].title()
    with engine.begin() as conn:
        user_id = create_account(conn, email, name, role, None)
    return Actor(user_id=user_id, email=email, role=role, full_name=name)


def count(engine: sa.Engine, sql: str, **params) -> int:
    """`select count(*) from SQL`."""
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {sql}"), params).scalar_one()  # noqa: S608


def add_candidate(engine, email: str, *, days_ago: int,
                  applications: dict[UUID, tuple[str, int]] | None = None,
                  referral: tuple[Actor, str, int] | None = None) -> UUID:
    """A candidate created `days_ago`, with applications {job: (status, days since it last
    moved)} and a referral (referrer, stage, days since the stage changed)."""
    with engine.begin() as conn:
        candidate = conn.execute(sa.text(
            "insert into public.candidates (full_name, email, created_at)"
            " values (:email, :email, now() - make_interval(days => :days)) returning id"),
            {"email": email, "days": days_ago}).scalar_one()
        for job, (status, moved) in (applications or {}).items():
            conn.execute(sa.text(
                "insert into public.applications (job_id, candidate_id, status, created_at,"
                " updated_at) values (:job, :candidate, cast(:status as public.application_status),"
                " now() - make_interval(days => :created), now() - make_interval(days => :moved))"),
                {"job": job, "candidate": candidate, "status": status, "created": days_ago,
                 "moved": moved})
        if referral:
            referrer, stage, moved = referral
            conn.execute(sa.text(
                "insert into public.referrals (referrer_id, candidate_id, stage, created_at,"
                " stage_changed_at) values (:referrer, :candidate,"
                " cast(:stage as public.referral_stage), now() - make_interval(days => :created),"
                " now() - make_interval(days => :moved))"),
                {"referrer": referrer.user_id, "candidate": candidate, "stage": stage,
                 "created": days_ago, "moved": moved})
    return candidate


def candidate_emails(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("select email from public.candidates")).scalars())


# The hires import's columns (services/savings/hires.py), and a file of them.
HIRES_CSV_HEADER = ("hire_date,job_title,department,source,first_year_salary,currency,referral_bonus,"
                    "ad_spend,job_board_fee,agency_fee,other_cost,channel")


def hires_csv(*rows: str, header: str = HIRES_CSV_HEADER) -> bytes:
    return "\n".join([header, *rows]).encode() + b"\n"


def short_link_query(engine: sa.Engine, link: str) -> dict[str, str]:
    """The query of the long link a short one (`…/r/<code>`) stands for: the job's id and its
    tracking (utm_source, utm_medium, utm_campaign, post), as the job page would read them."""
    with engine.connect() as conn:
        row = conn.execute(sa.text("select * from public.short_links where code = :code"),
                           {"code": link.rsplit("/r/", 1)[1]}).one()
    tracked = TrackedSource(row.source, row.utm_medium, row.utm_campaign, row.post_id, row.referral_code)
    return {"id": str(row.job_id), **tracked.query()}


def confirmation_token(engine: sa.Engine, email: str) -> str:
    """The token of a fresh link for the latest confirmation emailed to `email`, made as the
    worker makes it when it sends (the real email's text, read for its link)."""
    import re

    from services.people import email_confirmation

    with engine.begin() as conn:
        latest = conn.execute(sa.text(
            "select id from private.email_confirmations where email = :email"
            " order by created_at desc, id limit 1"), {"email": email.lower()}).scalar_one()
        _to, _subject, body = email_confirmation.compose(conn, latest)
    return re.search(r"/confirm-email\?token=([A-Za-z0-9_-]+)", body).group(1)


def candidate_confirms(referral_id) -> str:
    """The candidate of a pending referral confirms it, as the one-time link in their privacy
    notice does (through the server's own connection): what became of it (owner, duplicate or
    applied_first; one decided already stays as it was)."""
    from portal.db import owner_transaction

    with owner_transaction() as conn:
        return conn.execute(sa.text("select outcome from private.confirm_pending_referral(:id)"),
                            {"id": referral_id}).scalar_one()


def refer_confirmed(actor, form, resume=None, store=None):
    """A referral made on "Refer someone" whose candidate then confirms it (as most referrals
    in the tests are meant to count): the submission's answer, with the outcome it has now."""
    from dataclasses import replace

    from services.referrals import submission

    referred = submission.refer(actor, form, resume, store)
    return replace(referred, outcome=candidate_confirms(referred.referral_id))
