"""Following referrals: each referral's stage history, the recruiters' board and filtered
table, moving a stage (which the database records and tells the referrer of), and the
referrer's notifications. The history and the notifications are written by a trigger on
referrals (migration 20261129200000), so every way of moving a stage leaves them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

import sqlalchemy as sa

from portal import audit, mail
from portal.db import one_transaction, transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from services.candidates.applications import MoveForm, check_move
from services.referrals import open_referrals
from services.referrals.recognition import POINTS
from services.referrals.stages import (
    APPLICATION_STATUS,
    STAGES,
    ReferralRow,
    ReferralStageWords,
    referral_row_sql,
    stage_words,
)


@dataclass(frozen=True)
class StageEvent:
    referral_id: UUID
    stage: str
    changed_at: datetime
    changed_by: str | None


@dataclass(frozen=True)
class Card:
    id: UUID
    candidate_name: str
    job_title: str | None
    department: str | None
    referrer_name: str | None
    stage: str
    created_at: datetime
    stage_changed_at: datetime
    linked: bool = False  # an application for its job: moving it moves the application
    outcome: str = "owner"  # pending: waiting for its candidate to confirm (stages.STAFF_OUTCOME_NOTES)


@dataclass(frozen=True)
class Notification:
    id: int
    referral_id: UUID
    message: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class Moved:
    stage: str
    emailed: bool


def timelines(actor: Actor, referral_ids: Iterable[UUID]) -> dict[UUID, list[StageEvent]]:
    """Each referral's stages in the order they were given, from the recorded history."""
    ids = list(referral_ids)
    result: dict[UUID, list[StageEvent]] = {i: [] for i in ids}
    if not ids:
        return result
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            """
            select e.referral_id, e.to_stage::text as stage, e.changed_at,
                   nullif(p.full_name, '') as changed_by
            from public.referral_stage_events e
            left join public.profiles p on p.id = e.changed_by
            where e.referral_id = any(:ids)
            order by e.referral_id, e.id
            """), {"ids": ids}).all()
    for row in rows:
        result[row.referral_id].append(StageEvent(**row._mapping))
    return result


@dataclass(frozen=True)
class ReferralDetail:
    """One referral as its referrer follows it: where it stands, each stage it was given,
    the points it earned them and the notifications it brought."""
    referral: ReferralRow
    timeline: list[StageEvent]
    points: int
    notifications: list[Notification]


def referral_points(outcome: str, interviewed: bool, stage: str) -> int:
    """What one referral earns its referrer, as private.referrer_scores adds it up: points for
    a credited referral, more once it reached an interview, more when hired; nothing for a
    duplicate or a referral of someone who had applied already."""
    if outcome != "owner":
        return 0
    return (POINTS["referral"] + (POINTS["interview"] if interviewed else 0)
            + (POINTS["hire"] if stage == "hired" else 0))


def my_referral(actor: Actor, referral_id: UUID | str | None) -> ReferralDetail | None:
    """The actor's own referral `referral_id`, or None when there is no such referral or it is
    someone else's (row-level security shows a referrer only their own; a recruiter sees any)."""
    if not actor.signed_in:  # visitors may not read referrals at all
        return None
    try:
        referral_id = UUID(str(referral_id or "").strip())
    except ValueError:
        return None
    with transaction(actor) as conn:
        row = conn.execute(sa.text(referral_row_sql("r.id = :id", extra="r.interviewed_at")),
                           {"id": referral_id}).first()
        if row is None:
            return None
        events = conn.execute(sa.text(
            """
            select e.referral_id, e.to_stage::text as stage, e.changed_at,
                   nullif(p.full_name, '') as changed_by
            from public.referral_stage_events e
            left join public.profiles p on p.id = e.changed_by
            where e.referral_id = :id
            order by e.id
            """), {"id": referral_id}).all()
        news = conn.execute(sa.text(
            "select id, referral_id, message, created_at, read_at is not null as read"
            " from public.referral_notifications where user_id = :me and referral_id = :id"
            " order by id desc"), {"me": actor.user_id, "id": referral_id}).all()
    fields = {key: value for key, value in row._mapping.items() if key != "interviewed_at"}
    return ReferralDetail(ReferralRow(**fields), [StageEvent(**e._mapping) for e in events],
                          referral_points(row.outcome, row.interviewed_at is not None, row.stage),
                          [Notification(**n._mapping) for n in news])


def timeline_text(events: list[StageEvent], words: ReferralStageWords) -> str:
    """"Received 3 Nov → Being reviewed 5 Nov → …" for a table cell, in `words`."""
    return " → ".join(f"{words.name(e.stage)} {e.changed_at:%-d %b %Y}" for e in events)


_FILTER = (
    "(cast(:stage as public.referral_stage) is null or r.stage = cast(:stage as public.referral_stage))"
    " and (cast(:job as uuid) is null or r.job_id = cast(:job as uuid))"
    " and (cast(:department as text) is null or j.department = cast(:department as text))"
    " and (cast(:referrer as uuid) is null or r.referrer_id = cast(:referrer as uuid))"
    # Instants, not dates: Postgres estimates and searches `timestamptz >= timestamptz`
    # under row-level security, but not the cross-type `timestamptz >= date`.
    " and (cast(:since_at as timestamptz) is null or r.created_at >= cast(:since_at as timestamptz))"
    " and (cast(:until_at as timestamptz) is null or r.created_at < cast(:until_at as timestamptz))")

_FROM = "from public.referrals r left join public.jobs j on j.id = r.job_id"
_CARD_SQL = """
    select r.id, c.full_name as candidate_name, j.title as job_title, j.department,
           p.full_name as referrer_name, r.stage::text as stage, r.created_at, r.stage_changed_at,
           r.application_id is not null as linked, r.outcome
    from public.referrals r
    join public.candidates c on c.id = r.candidate_id
    left join public.jobs j on j.id = r.job_id
    left join public.profiles p on p.id = r.referrer_id
"""
_COUNTS_SQL = f"select r.stage::text, count(*) {_FROM} where {_FILTER} group by r.stage"
# One stage's most recently moved cards: `:this` is the stage, while `:stage` filters the board.
_STAGE_CARDS_SQL = (f"{_CARD_SQL} where {_FILTER.replace(':stage', ':this')}"
                    " order by r.stage_changed_at desc, r.id limit :limit")


def _check_stage(actor: Actor, stage: str | None) -> None:
    if stage is not None and stage not in STAGES:
        words = stage_words(actor)
        raise ValidationError(f"“{stage}” is not a stage. Choose one of: "
                              f"{', '.join(words.name(s) for s in words.in_use)}.")


def _filters(actor: Actor, stage: str | None, job_id: UUID | None = None, department: str | None = None,
             referrer_id: UUID | None = None, since: date | None = None, until: date | None = None) -> dict:
    _check_stage(actor, stage)
    if since and until and since > until:
        raise ValidationError("The “from” date is after the “to” date: swap them or clear one.")
    return {"stage": stage, "job": job_id, "department": department or None, "referrer": referrer_id,
            "since": since, "until": until,
            "since_at": since and datetime.combine(since, time(), UTC),
            "until_at": until and datetime.combine(until + timedelta(days=1), time(), UTC)}


# The counts the database keeps: per stage, and per job and stage (summed for a job or a
# department). Staff may read them; referrers may not (row-level security).
_KEPT_COUNTS_SQL = "select stage::text, referrals from public.referral_stage_counts"
_JOB_COUNTS_SQL = """
    select t.stage::text, sum(t.referrals)::bigint from public.referral_job_counts t
    left join public.jobs j on j.id = t.job_id
    where (cast(:job as uuid) is null or t.job_id = cast(:job as uuid))
      and (cast(:department as text) is null or j.department = cast(:department as text))
    group by t.stage"""


def _counts_sql(conn, params: dict) -> str:
    """How to count the referrals matching the filters per stage. Staff asking with no
    filter, or only a job or a department, get the counts the database keeps (a million
    referrals are not counted on every visit); referrers, who see only their own, and
    anyone filtering by referrer or date, are counted."""
    if (any(params[k] is not None for k in ("referrer", "since", "until"))
            or not conn.execute(sa.text("select private.is_staff()")).scalar()):
        return _COUNTS_SQL
    return _KEPT_COUNTS_SQL if params["job"] is None and params["department"] is None else _JOB_COUNTS_SQL


def _counts(conn, params: dict) -> dict[str, int]:
    """How many referrals match the filters, per stage."""
    return {stage: int(n) for stage, n in conn.execute(sa.text(_counts_sql(conn, params)), params).all()}


def search(actor: Actor, *, stage: str | None = None, job_id: UUID | None = None,
           department: str | None = None, referrer_id: UUID | None = None, since: date | None = None,
           until: date | None = None, page: int = 1, page_size: int = 25) -> Page[Card]:
    """Referrals matching every filter given, newest first."""
    params = _filters(actor, stage, job_id, department, referrer_id, since, until)
    params |= {"limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        counts = _counts(conn, params)
        total = counts.get(stage, 0) if stage else sum(counts.values())
        rows = conn.execute(sa.text(
            f"{_CARD_SQL} where {_FILTER} order by r.created_at desc, r.id limit :limit offset :offset"),
            params).all()  # noqa: S608
    return Page([Card(**row._mapping) for row in rows], total, page, page_size)


def board(actor: Actor, *, per_stage: int = 6, **filters) -> dict[str, tuple[list[Card], int]]:
    """For each stage, its most recently moved referrals (at most `per_stage`) and how many
    there are in all."""
    params = _filters(actor, None, **filters) | {"limit": per_stage}
    with transaction(actor) as conn:
        counts = _counts(conn, params)
        result = {}
        for stage in STAGES:
            rows = conn.execute(sa.text(_STAGE_CARDS_SQL), params | {"this": stage}).all()
            result[stage] = ([Card(**row._mapping) for row in rows], counts.get(stage, 0))
    return result


def board_plans(actor: Actor, stage: str, *, per_stage: int = 6, **filters) -> list[str]:
    """How Postgres runs the board's queries for `actor` (EXPLAIN ANALYZE, BUFFERS): the
    counts per stage as `board` gets them for these filters, and `stage`'s cards. For tuning
    indexes; benchmarks/referrals.py --explain prints them."""
    params = _filters(actor, None, **filters) | {"limit": per_stage, "this": stage}
    with transaction(actor) as conn:
        return ["\n".join(conn.execute(sa.text("explain (analyze, buffers) " + query), params).scalars())
                for query in (_counts_sql(conn, params), _STAGE_CARDS_SQL)]


@dataclass(frozen=True)
class Choices:
    jobs: list[tuple[UUID, str]]
    departments: list[str]
    referrers: list[tuple[UUID, str]]


def filter_choices(actor: Actor) -> Choices:
    """The jobs, departments and referrers that have referrals, for the filters."""
    with transaction(actor) as conn:
        jobs = conn.execute(sa.text(
            "select j.id, j.title || ' (' || j.department || ')' from public.jobs j"
            " where exists (select 1 from public.referrals r where r.job_id = j.id) order by j.title")).all()
        departments = conn.execute(sa.text(
            "select distinct j.department from public.jobs j"
            " where exists (select 1 from public.referrals r where r.job_id = j.id) order by 1")).scalars()
        referrers = conn.execute(sa.text(
            "select p.id, coalesce(nullif(p.full_name, ''), p.email) from public.profiles p"
            " where exists (select 1 from public.referrals r where r.referrer_id = p.id) order by 2")).all()
        return Choices([tuple(j) for j in jobs], list(departments), [tuple(r) for r in referrers])


def screen(actor: Actor) -> tuple[Choices, open_referrals.Inbox]:
    """What the Referrals page shows whatever its filters, read at once: the filters' choices
    and the referrals open to anything waiting for a job."""
    with one_transaction(actor):
        return filter_choices(actor), open_referrals.inbox(actor)


def move(actor: Actor, referral_id: UUID, stage: str, *, reason: str | None = None,
         reason_detail: str = "") -> Moved:
    """Give a referral a new stage. The database records it and notifies the referrer in the
    portal; the referrer is emailed too where SMTP is set.

    A referral for a job is that candidate's application for it: it moves as the job's
    Applicants tab moves it (private.move_applications: the application's history, the audit
    log, the hire), and the referral follows by the application's trigger. "Not selected" is
    then a rejection, with its `reason` (a key of applications.REJECTION_REASONS; "other" says
    why in `reason_detail`). A referral for no job moves on its own."""
    _check_stage(actor, stage)
    words = stage_words(actor)
    with translate_refusals(), transaction(actor) as conn:
        before = conn.execute(sa.text(
            """
            select r.stage::text as old_stage, r.application_id, p.email, c.full_name, j.title
            from public.referrals r
            join public.candidates c on c.id = r.candidate_id
            join public.profiles p on p.id = r.referrer_id
            left join public.jobs j on j.id = r.job_id
            where r.id = :id
            for update of r
            """), {"id": referral_id}).first()
        if before is None:
            raise NotFound("That referral does not exist or you may not change it.")
        if stage != before.old_stage and stage not in words.in_use:
            # As the database refuses it for an application (private.stage_in_use).
            raise ValidationError(f"“{words.name(stage)}” is switched off: choose another stage.")
        if before.application_id is None:
            row = conn.execute(sa.text(
                "update public.referrals r set stage = cast(:stage as public.referral_stage)"
                " where r.id = :id returning r.id"), {"id": referral_id, "stage": stage}).first()
            if row is None:
                raise NotFound("That referral does not exist or you may not change it.")
        elif before.old_stage != stage:  # the referral shows its application's stage (a trigger keeps it)
            _move_application(conn, before.application_id, stage, reason, reason_detail)
    emailed = False
    if before.old_stage != stage and mail.enabled():
        told = stage_words(None)  # the referrer reads the candidate's wording
        emailed = mail.send(
            before.email, "Your referral has moved on",
            f"{before.full_name} ({before.title or 'open to anything'}) moved from"
            f" {told.name(before.old_stage)} to {told.name(stage)}."
            "\n\nSee all your referrals under “My referrals” in the portal.")
    return Moved(stage, emailed)


def confirm_for_candidate(actor: Actor, referral_id: UUID) -> str:
    """A recruiter who spoke to the candidate of a pending referral confirms it for them (the
    notice went through the referrer, who may not, or its link expired): ownership is decided
    now, as the candidate's own link decides it. Returns the outcome: owner, or duplicate
    when an earlier referral of the same person wins. Staff only (the database refuses others)."""
    with translate_refusals(), transaction(actor) as conn:
        outcome = conn.execute(sa.text("select outcome from private.confirm_referral_for_candidate(:id)"),
                               {"id": referral_id}).scalar_one()
        audit.record(conn, "referral.confirmed_by_recruiter", "referral", str(referral_id),
                     {"outcome": outcome})
    return outcome


def _move_application(conn, application_id: UUID, stage: str, reason: str | None, detail: str) -> None:
    """Move a linked referral's application to the status of `stage`, checked as the Applicants
    tab checks a move, by the one path every move of an application takes."""
    form = check_move(MoveForm((application_id,), APPLICATION_STATUS[stage], reason, detail or ""))
    conn.execute(sa.text(
        "select count(*) from private.move_applications(array[cast(:id as uuid)], :to, :reason,"
        " :detail, null, false)"),
        {"id": application_id, "to": form.stage, "reason": form.reason, "detail": form.reason_detail or None})


def notifications(actor: Actor, *, limit: int = 20) -> tuple[list[Notification], int]:
    """The actor's latest notifications and how many are unread."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select id, referral_id, message, created_at, read_at is not null as read"
            " from public.referral_notifications where user_id = :me order by id desc limit :limit"),
            {"me": actor.user_id, "limit": limit}).all()
        unread = conn.execute(sa.text(
            "select count(*) from public.referral_notifications where user_id = :me and read_at is null"),
            {"me": actor.user_id}).scalar_one()
    return [Notification(**row._mapping) for row in rows], unread


def mark_all_read(actor: Actor) -> int:
    with transaction(actor) as conn:
        return conn.execute(sa.text(
            "update public.referral_notifications set read_at = now()"
            " where user_id = :me and read_at is null"), {"me": actor.user_id}).rowcount
