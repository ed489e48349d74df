"""Referral bonuses: the rules (a job's own bonus, else its level's rule, else its
department's rule, else the rule for every department; the retention period from the first
of those rules there is), the payouts planned when a hire's start date is recorded
(split between referrers by percentage), due after the retention period, forfeited when
the hire leaves first, marked paid (the database keeps who and when), and the CSV for payroll."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import one_transaction, transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from portal.spreadsheets import csv_bytes
from portal.validation import FormProblems, email_address, money_amount, text
from services.postings.listings import ALL_STATUSES, LEVEL_LABELS, board_filters
from services.referrals import pipeline
from services.referrals.pipeline import Card

DEFAULT_RETENTION_DAYS = 90
STATUSES = ("waiting", "due", "paid", "forfeited")
STATUS_LABELS = {"waiting": "In retention period", "due": "Due", "paid": "Paid", "forfeited": "Forfeited"}


@dataclass(frozen=True)
class Rule:
    department: str  # '' for every department
    amount: Decimal
    retention_days: int


@dataclass(frozen=True)
class LevelRule:
    level: str  # a key of services.postings.listings.LEVEL_LABELS
    amount: Decimal
    retention_days: int

    @property
    def label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


@dataclass(frozen=True)
class Bonus:
    """What a referral earns, and which rule gave the amount and the retention period."""
    amount: Decimal
    retention_days: int
    amount_from: str  # e.g. "the job's own bonus", "the Senior level's rule"
    retention_from: str


@dataclass(frozen=True)
class Payout:
    id: UUID
    referral_id: UUID | None  # None once the referral was erased on request
    candidate_name: str | None
    job_title: str | None
    department: str | None
    referrer_name: str
    referrer_email: str
    share_percent: Decimal
    amount: Decimal
    start_date: date
    due_on: date
    status: str
    paid_at: datetime | None
    paid_by: str | None
    forfeited_at: datetime | None


@contextmanager
def _guarded(actor: Actor) -> Iterator[Connection]:
    """A transaction in which the database's refusals become messages for the user."""
    with translate_refusals(misfit="That change does not fit the bonus's state.",
                            denied="Only recruiters and admins manage referral bonuses."), \
            transaction(actor) as conn:
        yield conn


# --- rules ---------------------------------------------------------------------------------

def rules(actor: Actor) -> list[Rule]:
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select department, amount, retention_days from public.referral_bonus_rules order by department"))
        return [Rule(*row) for row in rows]


def _checked(problems: FormProblems, amount: float | None, retention_days: int | None) -> float | None:
    """A rule's amount, its problems and the retention period's noted in `problems` (fields
    "amount" and "retention_days")."""
    amount = problems.check("amount", money_amount, "Bonus amount", amount)
    if amount is not None and amount > 99_999_999.99:
        problems.add("amount", "Bonus amount must be at most 99,999,999.99.")
    if retention_days is None or not 0 <= retention_days <= 730:
        problems.add("retention_days", "Retention period must be between 0 and 730 days after the "
                     "start date.")
    return amount


def save_rule(actor: Actor, department: str | None, amount: float | None,
              retention_days: int | None) -> Rule:
    """Set the bonus and retention period of a department ('' or None for every department).
    Every problem of the form is said at once (fields "department", "amount", "retention_days")."""
    problems = FormProblems()
    department = problems.check("department", text, "Department", department, maximum=100,
                                single_line=True)
    amount = _checked(problems, amount, retention_days)
    problems.raise_any()
    department = " ".join(department.split())
    amount = _upsert(actor, "referral_bonus_rules", "department", department, amount, retention_days)
    return Rule(department, amount, retention_days)


def _upsert(actor: Actor, table: str, key: str, value: str, amount: float,
            retention_days: int) -> Decimal:
    """Write a checked rule into `table`, keyed by `key` (both constants of this module);
    returns the amount as stored."""
    with _guarded(actor) as conn:
        conn.execute(sa.text(
            f"""
            insert into public.{table} ({key}, amount, retention_days)
            values (:value, :amount, :days)
            on conflict ({key}) do update
              set amount = excluded.amount, retention_days = excluded.retention_days,
                  updated_by = auth.uid(), updated_at = now()
            """), {"value": value, "amount": amount, "days": retention_days})  # noqa: S608
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def level_rules(actor: Actor) -> list[LevelRule]:
    """The rules per job level, most junior level first."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select level, amount, retention_days from public.referral_level_bonus_rules")).all()
    order = list(LEVEL_LABELS)
    return sorted((LevelRule(*row) for row in rows), key=lambda r: order.index(r.level))


def save_level_rule(actor: Actor, level: str | None, amount: float | None,
                    retention_days: int | None) -> LevelRule:
    """Set the bonus and retention period of a job level."""
    problems = FormProblems()  # every problem at once: "level", "amount", "retention_days"
    if level not in LEVEL_LABELS:
        problems.add("level", "Choose a job level: one of " + ", ".join(LEVEL_LABELS.values()) + ".")
    amount = _checked(problems, amount, retention_days)
    problems.raise_any()
    amount = _upsert(actor, "referral_level_bonus_rules", "level", level, amount, retention_days)
    return LevelRule(level, amount, retention_days)


def delete_level_rule(actor: Actor, level: str) -> None:
    with _guarded(actor) as conn:
        done = conn.execute(sa.text("delete from public.referral_level_bonus_rules where level = :l"),
                            {"l": level}).rowcount
    if not done:
        raise NotFound("There is no rule for that level (any more).")


_BONUS_SOURCES = """
    select r.id, j.referral_bonus as own, j.level, j.department,
           l.amount as level_amount, l.retention_days as level_days,
           d.amount as department_amount, d.retention_days as department_days,
           a.amount as default_amount, a.retention_days as default_days
    from public.referrals r
    left join public.jobs j on j.id = r.job_id
    left join public.referral_level_bonus_rules l on l.level = j.level
    left join public.referral_bonus_rules d on d.department = j.department and d.department <> ''
    left join public.referral_bonus_rules a on a.department = ''
    where r.id = any(cast(:ids as uuid[]))
"""


def _bonus(row) -> Bonus:
    """The first of: the job's own bonus, its level's rule, its department's rule, the rule for
    every department; the retention period from the first of those rules there is."""
    rules = [(row.level_amount, row.level_days, f"the {LEVEL_LABELS.get(row.level, row.level)} level's rule"),
             (row.department_amount, row.department_days, f"the {row.department} department's rule"),
             (row.default_amount, row.default_days, "the rule for every department")]
    present = [(amount, days, name) for amount, days, name in rules if amount is not None]
    days, retention_from = ((present[0][1], present[0][2]) if present
                            else (DEFAULT_RETENTION_DAYS, f"the default of {DEFAULT_RETENTION_DAYS} days"))
    if row.own is not None:
        return Bonus(Decimal(row.own), int(days), "the job's own bonus", retention_from)
    if present:
        return Bonus(Decimal(present[0][0]), int(days), present[0][2], retention_from)
    return Bonus(Decimal("0.00"), int(days), "no rule (none applies)", retention_from)


def bonus_for(conn: Connection, referral_id: UUID) -> Bonus:
    """The bonus a referral earns, its retention period in days, and the rules they came from."""
    row = conn.execute(sa.text(_BONUS_SOURCES), {"ids": [referral_id]}).first()
    if row is None:
        raise NotFound("That referral does not exist or you may not see it.")
    return _bonus(row)


def bonuses(actor: Actor, referral_ids: list[UUID]) -> dict[UUID, Bonus]:
    """What each referral would earn now, with the rule that decides it."""
    if not referral_ids:
        return {}
    with transaction(actor) as conn:
        return {row.id: _bonus(row) for row in conn.execute(sa.text(_BONUS_SOURCES),
                                                            {"ids": list(referral_ids)})}


# --- payouts -------------------------------------------------------------------------------

def record_start(actor: Actor, referral_id: UUID, start_date: date | None,
                 shares: dict[str, float] | None = None) -> list[tuple[str, Decimal, date]]:
    """Record a hired referral's start date and plan its bonus: all to the referrer, or
    split as `shares` (email → percent, adding up to 100). Payouts not yet paid are planned
    again; returns (email, amount, due date) for each."""
    if start_date is None:
        raise ValidationError("Enter the hire's start date.")
    with _guarded(actor) as conn:
        referral = conn.execute(sa.text(
            "select r.stage::text as stage, p.email from public.referrals r"
            " join public.profiles p on p.id = r.referrer_id where r.id = :id"), {"id": referral_id}).first()
        if referral is None:
            raise NotFound("That referral does not exist or you may not see it.")
        if referral.stage != "hired":
            raise ValidationError("Move the referral to Hired before recording a start date.")
        split = _split(conn, shares or {referral.email: 100.0})
        bonus = bonus_for(conn, referral_id)
        amount, days = bonus.amount, bonus.retention_days
        if conn.execute(sa.text("select exists (select 1 from public.referral_payouts"
                                " where referral_id = :id and paid_at is not null)"),
                        {"id": referral_id}).scalar_one():
            raise ValidationError("A share of this bonus is already paid; its payouts can no longer change.")
        conn.execute(sa.text("update public.referrals set start_date = :start where id = :id"),
                     {"id": referral_id, "start": start_date})
        conn.execute(sa.text("delete from public.referral_payouts where referral_id = :id"),
                     {"id": referral_id})
        due = start_date + timedelta(days=days)
        planned = []
        for email, (user_id, percent) in split.items():
            share = (amount * percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            conn.execute(sa.text(
                "insert into public.referral_payouts (referral_id, referrer_id, share_percent, amount,"
                " start_date, due_on) values (:r, :u, :pct, :amount, :start, :due)"),
                {"r": referral_id, "u": user_id, "pct": percent, "amount": share, "start": start_date,
                 "due": due})
            planned.append((email, share, due))
        conn.execute(sa.text("update public.referrals set reward_amount = :amount where id = :id"),
                     {"id": referral_id, "amount": amount})
    return planned


def _split(conn: Connection, shares: dict[str, float]) -> dict[str, tuple[UUID, Decimal]]:
    result = {}
    for raw, percent in shares.items():
        email = email_address(raw)
        if percent is None or not 0 < percent <= 100:
            raise ValidationError(f"The share of {email} must be more than 0 and at most 100 percent.")
        user_id = conn.execute(sa.text(
            "select id from public.profiles where lower(email) = :e and role in ('alumnus', 'employee')"),
            {"e": email}).scalar()
        if user_id is None:
            raise ValidationError(f"{email} is not an alumnus or employee of the portal: check the address.")
        if email in result:
            raise ValidationError(f"{email} is named twice: give each referrer one share.")
        result[email] = (user_id, Decimal(str(percent)).quantize(Decimal("0.01")))
    total = sum(p for _, p in result.values())
    if total != 100:
        raise ValidationError(f"The shares add up to {total.normalize():f}%; make them add up to 100%.")
    return result


def record_leaving(actor: Actor, referral_id: UUID, left_on: date | None) -> int:
    """Record the day a hire left; bonuses not due by then are forfeited (by the database).
    Returns how many payouts were forfeited."""
    if left_on is None:
        raise ValidationError("Enter the day the hire left.")
    with _guarded(actor) as conn:
        before = conn.execute(sa.text("select count(*) from public.referral_payouts"
                                      " where referral_id = :id and forfeited_at is not null"),
                              {"id": referral_id}).scalar_one()
        row = conn.execute(sa.text("update public.referrals set left_on = :day where id = :id"
                                   " returning start_date"), {"id": referral_id, "day": left_on}).first()
        if row is None:
            raise NotFound("That referral does not exist or you may not change it.")
        after = conn.execute(sa.text("select count(*) from public.referral_payouts"
                                     " where referral_id = :id and forfeited_at is not null"),
                             {"id": referral_id}).scalar_one()
    return after - before


def mark_paid(actor: Actor, payout_id: UUID) -> None:
    """Mark a due payout paid; the database stamps who and when, and refuses one not yet
    due, forfeited or paid already."""
    with _guarded(actor) as conn:
        done = conn.execute(sa.text("update public.referral_payouts set paid_at = now(), paid_by = auth.uid()"
                                    " where id = :id"), {"id": payout_id}).rowcount
    if not done:
        raise NotFound("That payout does not exist or you may not change it.")


_STATUS = """case when p.paid_at is not null then 'paid' when p.forfeited_at is not null then 'forfeited'
                  when p.due_on <= current_date then 'due' else 'waiting' end"""


def payouts(actor: Actor, *, status: str | None = None, mine: bool = False, page: int = 1,
            page_size: int = 25) -> Page[Payout]:
    """Payouts, soonest due first; `status` one of STATUSES; `mine` the actor's own."""
    if status is not None and status not in STATUSES:
        raise ValidationError(f"“{status}” is not a payout status.")
    where = (f"(cast(:status as text) is null or {_STATUS} = cast(:status as text))"
             " and (not :mine or p.referrer_id = cast(:me as uuid))")
    params = {"status": status, "mine": mine, "me": actor.user_id, "limit": page_size,
              "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text(f"select count(*) from public.referral_payouts p where {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            f"""
            -- A payout outlives a referral erased on request (money records are kept).
            select p.id, p.referral_id,
                   case when p.referral_id is null then '(erased on request)' else c.full_name end
                     as candidate_name, j.title as job_title, j.department,
                   coalesce(nullif(rp.full_name, ''), rp.email) as referrer_name, rp.email as referrer_email,
                   p.share_percent, p.amount, p.start_date, p.due_on, {_STATUS} as status, p.paid_at,
                   coalesce(nullif(pb.full_name, ''), pb.email) as paid_by, p.forfeited_at
            from public.referral_payouts p
            -- A second referrer sharing the bonus reads their payout, not the referral.
            left join public.referrals r on r.id = p.referral_id
            left join public.candidates c on c.id = r.candidate_id
            left join public.jobs j on j.id = r.job_id
            join public.profiles rp on rp.id = p.referrer_id
            left join public.profiles pb on pb.id = p.paid_by
            where {where}
            order by p.due_on, p.id
            limit :limit offset :offset
            """), params).all()  # noqa: S608
    return Page([Payout(**row._mapping) for row in rows], total, page, page_size)


def my_payouts(actor: Actor, referral_ids: list[UUID]) -> dict[UUID, Payout]:
    """The actor's own share of each referral's bonus, where one is planned."""
    if not referral_ids:
        return {}
    found = payouts(actor, mine=True, page_size=1000).rows
    return {p.referral_id: p for p in found if p.referral_id in set(referral_ids)}


def payroll_csv(actor: Actor, status: str | None = "due") -> bytes:
    """The payouts of a status as CSV for payroll (formula-safe, UTF-8 with BOM)."""
    rows, page = [], 1
    while True:
        result = payouts(actor, status=status, page=page, page_size=500)
        rows += [{"Referrer": p.referrer_name, "Referrer email": p.referrer_email,
                  "Candidate": p.candidate_name or "",
                  "Job": p.job_title or ("" if p.referral_id is None else "Open to anything"),
                  "Department": p.department or "", "Share %": float(p.share_percent),
                  "Amount": float(p.amount), "Start date": p.start_date.isoformat(),
                  "Due on": p.due_on.isoformat(), "Status": STATUS_LABELS[p.status],
                  "Paid at": p.paid_at.isoformat(timespec="minutes") if p.paid_at else "",
                  "Marked paid by": p.paid_by or ""} for p in result.rows]
        if page >= result.page_count:
            break
        page += 1
    columns = ["Referrer", "Referrer email", "Candidate", "Job", "Department", "Share %", "Amount",
               "Start date", "Due on", "Status", "Paid at", "Marked paid by"]
    return csv_bytes(pd.DataFrame(rows, columns=columns))


def parse_shares(text: str | None) -> dict[str, float] | None:
    """"email percent" a line (commas, semicolons and % allowed) into shares; None when empty.
    Every bad line is said at once (field "split")."""
    shares: dict[str, float] = {}
    problems = FormProblems()
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = line.replace(",", " ").replace(";", " ").replace("%", " ").split()
        if not words:
            continue
        if len(words) != 2:
            problems.add("split", f"Split, line {number}: write one email and one percent, as "
                         "“priya@example.com 60”.")
            continue
        try:
            shares[words[0]] = float(words[1])
        except ValueError:
            problems.add("split", f"Split, line {number}: “{words[1]}” is not a percent.")
    problems.raise_any()
    return shares or None


def check_start_form(start_date: date | None, split: str | None,
                     left_on: date | None) -> dict[str, float] | None:
    """The "start date or leaver" form checked as a whole, every problem at once (fields
    "start_date" and "split"): the shares typed, if any."""
    problems = FormProblems()
    shares = problems.check("split", parse_shares, split)
    if start_date is None and (split or "").strip():
        problems.add("start_date", "Enter the hire's start date: a split plans the bonus from it.")
    elif start_date is None and left_on is None:
        problems.add("start_date", "Enter a start date, or the day the hire left.")
    problems.raise_any()
    return shares


@dataclass(frozen=True)
class PayoutsScreen:
    """What the Referral payouts page shows, read in one transaction."""

    rules: list[Rule]  # by department
    departments: list[str]  # of every posting, to choose a rule's from
    level_rules: list[LevelRule]
    hired: list[Card]  # referrals at Hired (the newest 200), for start dates and leavers
    bonuses: dict[UUID, Bonus]  # what each of those earns, and by which rule
    payouts: Page[Payout]  # the page asked for, of those in `status` (all if None)


def payouts_screen(actor: Actor, status: str | None, page: int = 1) -> PayoutsScreen:
    with one_transaction(actor):
        hired = pipeline.search(actor, stage="hired", page_size=200).rows
        return PayoutsScreen(rules(actor), board_filters(actor, ALL_STATUSES).departments, level_rules(actor),
                             hired, bonuses(actor, [r.id for r in hired]),
                             payouts(actor, status=status, page=page))
