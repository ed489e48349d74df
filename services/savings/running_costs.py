"""What the savings report rests on: the assumptions and exchange rates an admin keeps,
and the programme's running costs by month, which recruiters enter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal import audit
from portal.db import transaction, translate_refusals
from portal.errors import ValidationError
from portal.models import Actor, Page
from portal.permissions import require_admin
from portal.validation import FormProblems, currency_code, money_amount
from services.savings.report import COST_CATEGORIES, Assumptions, load_assumptions

# Floats both: Streamlit's number_input refuses a float minimum beside an int maximum.
MIN_RATE, MAX_RATE = 0.000001, 1_000_000.0
MAX_BONUS = 99_999_999.99  # referral bonuses are numeric(10, 2)


def assumptions(actor: Actor) -> Assumptions:
    with transaction(actor) as conn:
        return load_assumptions(conn)


def save_assumptions(actor: Actor, *, currency: str, fee_rate: float,
                     job_board_cost_per_hire: float,
                     default_referral_bonus: float | None = None) -> list[str]:
    """Save the assumptions (`default_referral_bonus` None keeps the current one); returns
    the exchange rates removed because the reporting currency changed (they said what a
    currency is worth in the old one)."""
    problems = FormProblems()  # every problem at once, each named for its field
    currency = problems.check("currency", currency_code, currency)
    if default_referral_bonus is not None:
        checked = problems.check("default_referral_bonus", money_amount, "The default referral bonus",
                                 default_referral_bonus)
        if checked is not None and checked > MAX_BONUS:
            problems.add("default_referral_bonus",
                         f"The default referral bonus is at most {MAX_BONUS:,.2f}.")
    if fee_rate is None or not 0 <= fee_rate <= 1:  # NaN compares false too
        problems.add("fee_rate", "The headhunter fee rate is between 0 % and 100 % "
                     "(agencies usually charge 15–35 %).")
    problems.check("job_board_cost_per_hire", money_amount, "The job-board cost per hire",
                   job_board_cost_per_hire)
    problems.raise_any()
    with transaction(actor) as conn:
        require_admin(conn, "change the assumptions")
        removed = []
        if currency != _reporting_currency(conn):
            removed = list(conn.execute(sa.text(
                "delete from public.exchange_rates returning trim(currency)")).scalars())
        conn.execute(sa.text(
            "insert into public.savings_settings (id, currency, headhunter_fee_rate,"
            "   job_board_cost_per_hire, default_referral_bonus, updated_at)"
            " values (1, :currency, :rate, :cost, coalesce(cast(:bonus as numeric), 1500), now())"
            " on conflict (id) do update set currency = excluded.currency,"
            "   headhunter_fee_rate = excluded.headhunter_fee_rate,"
            "   job_board_cost_per_hire = excluded.job_board_cost_per_hire,"
            "   default_referral_bonus"
            "     = coalesce(cast(:bonus as numeric), savings_settings.default_referral_bonus),"
            "   updated_at = now()"),
            {"currency": currency, "rate": round(fee_rate, 4), "cost": job_board_cost_per_hire,
             "bonus": default_referral_bonus})
        audit.record(conn, "savings.assumptions_changed", "savings_settings", "1",
                     {"currency": currency, "fee_rate": str(fee_rate),
                      "job_board_cost_per_hire": str(job_board_cost_per_hire),
                      "default_referral_bonus": str(default_referral_bonus),
                      "rates_removed": ", ".join(removed)})
    return sorted(removed)


def set_rate(actor: Actor, currency: str, rate: float) -> None:
    """One unit of `currency` is worth `rate` in the reporting currency."""
    problems = FormProblems()  # both fields' problems at once
    currency = problems.check("currency", currency_code, currency)
    if rate is None or not math.isfinite(rate) or not MIN_RATE <= rate <= MAX_RATE:
        problems.add("rate", f"The rate for {currency or 'a currency'} must be between {MIN_RATE:g} "
                     f"and {MAX_RATE:,.0f}.")
    problems.raise_any()
    with transaction(actor) as conn:
        require_admin(conn, "change exchange rates")
        if currency == _reporting_currency(conn):
            raise ValidationError(f"{currency} is the reporting currency: its amounts are "
                                  "counted as they are, without a rate.")
        conn.execute(sa.text(
            "insert into public.exchange_rates (currency, rate) values (:currency, :rate)"
            " on conflict (currency) do update set rate = excluded.rate, updated_at = now()"),
            {"currency": currency, "rate": rate})
        audit.record(conn, "savings.rate_set", "exchange_rate", currency, {"rate": str(rate)})


def remove_rate(actor: Actor, currency: str) -> None:
    with transaction(actor) as conn:
        require_admin(conn, "change exchange rates")
        conn.execute(sa.text("delete from public.exchange_rates where currency = :currency"),
                     {"currency": currency})
        audit.record(conn, "savings.rate_removed", "exchange_rate", currency)


@dataclass(frozen=True)
class MonthCosts:
    month: date
    amounts: dict[str, Decimal]  # by category
    currency: str
    note: str

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), Decimal(0))


def running_costs_page(actor: Actor, *, page: int = 1, page_size: int = 12) -> Page[MonthCosts]:
    """The months with running costs entered, newest first."""
    with transaction(actor) as conn:
        total = conn.execute(sa.text(
            "select count(distinct month) from public.programme_costs")).scalar_one()
        rows = conn.execute(sa.text(
            """
            with months as (select distinct month from public.programme_costs
                            order by month desc limit :limit offset :offset)
            select c.month, c.category, c.amount, trim(c.currency) as currency, c.note
            from public.programme_costs c join months using (month)
            order by c.month desc, c.category
            """), {"limit": page_size, "offset": Page.offset(page, page_size)}).all()
    return Page(_by_month(rows), total, page, page_size)


def month_costs(actor: Actor, month: date) -> MonthCosts | None:
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select month, category, amount, trim(currency) as currency, note"
            " from public.programme_costs where month = :month order by category"),
            {"month": month}).all()
    return next(iter(_by_month(rows)), None)


def _by_month(rows) -> list[MonthCosts]:
    """Rows of (month, category, amount, currency, note) as one MonthCosts per month, in the
    rows' order; a month's currency and note are those its rows share."""
    months: dict[date, MonthCosts] = {}
    for row in rows:
        entry = months.setdefault(row.month, MonthCosts(row.month, {}, row.currency, row.note))
        entry.amounts[row.category] = row.amount
    return list(months.values())


def save_month_costs(actor: Actor, month: date, amounts: dict[str, float], currency: str,
                     note: str = "") -> None:
    """Replace a month's running costs; a category left at 0 is removed."""
    month = month.replace(day=1)
    currency = currency_code(currency)
    unknown = set(amounts) - set(COST_CATEGORIES)
    if unknown:
        raise ValidationError("Unknown cost categories: " + ", ".join(sorted(unknown)))
    for category, amount in amounts.items():
        money_amount(COST_CATEGORIES[category], amount)
    note = " ".join((note or "").split())
    if len(note) > 500:
        raise ValidationError("Keep the note under 500 characters.")
    kept = [{"month": month, "category": c, "amount": a, "currency": currency, "note": note}
            for c, a in amounts.items() if a]
    with translate_refusals(denied="Only recruiters and admins can enter running costs."), \
            transaction(actor) as conn:
        # Upsert what is kept, then drop the rest: two people saving the same month at
        # once both succeed (the last one wins) instead of one hitting the primary key.
        if kept:
            conn.execute(sa.text(
                "insert into public.programme_costs (month, category, amount, currency, note)"
                " values (:month, :category, :amount, :currency, :note)"
                " on conflict (month, category) do update set amount = excluded.amount,"
                "   currency = excluded.currency, note = excluded.note, updated_at = now()"),
                kept)
        conn.execute(sa.text(
            "delete from public.programme_costs where month = :month"
            " and category <> all(cast(:kept as text[]))"),
            {"month": month, "kept": [row["category"] for row in kept]})
        audit.record(conn, "savings.running_costs_saved", "programme_costs", month.isoformat(),
                     {c: str(a) for c, a in amounts.items()} | {"currency": currency})


def _reporting_currency(conn: sa.Connection) -> str:
    return conn.execute(sa.text("select trim(currency) from public.savings_settings where id = 1")
                        ).scalar() or Assumptions.currency
