"""What hiring through the portal saves against headhunter fees and job boards.

The model, in the words the Savings page shows:

- the actual cost of a hire is its referral bonus + ad spend + job-board fee + agency fee
  + other costs;
- the saving against a headhunter is the fee rate × first-year salary − the actual cost,
  for every hire not made through an agency (an agency hire saves nothing);
- the saving against job boards is the job-board baseline cost per hire − the actual
  cost, for hires through referrals, social media, direct applications and internal moves;
- the programme's ROI over a period is (savings against a headhunter − running costs)
  ÷ running costs; the payback month is the first month in which the cumulative savings
  pass the cumulative running costs.

Every figure is a sum over hires, and sums of sums are sums: the database keeps each
(month, source, channel, department, currency) group's sums up to date as hires change
(`public.hire_totals`), and pandas works on those groups, a few thousand rows however many
hires there are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import transaction
from portal.models import Actor
from portal.months import month_start
from portal.networks import NETWORKS

# Where a hire came from (the database's hire_source), as people read it.
SOURCE_LABELS = {"referral": "Referral", "social": "Social media", "job_board": "Job board",
                 "career_site": "Career site", "agency": "Agency", "direct": "Direct",
                 "internal": "Internal move"}
COST_COLUMNS = ("referral_bonus", "ad_spend", "job_board_fee", "agency_fee", "other_cost")
AMOUNT_COLUMNS = ("salary", *COST_COLUMNS)
SOURCES = tuple(SOURCE_LABELS)
JOB_BOARD_BASELINE_SOURCES = ("referral", "social", "direct", "internal")
# How channels that reach the portal in lower case (utm_source values) are written: the
# networks the portal posts to as portal/networks.py names them, and others links come from.
CHANNEL_LABELS = {"twitter": "X", "instagram": "Instagram", "xing": "XING", "indeed": "Indeed",
                  "stepstone": "StepStone", "glassdoor": "Glassdoor",
                  **{network.utm_source: network.label for network in NETWORKS.values()}}
_CODE = re.compile(r"[a-z0-9_]+")


def source_label(code: str | None) -> str:
    """How a source or channel is written wherever people read it (pages, reports, exports):
    a hire's source, a hire's channel, or where an application came from (a hire source
    such as career_site, or a link's utm_source such as linkedin). A code nobody labelled
    is tidied (news_letter: News letter); a channel a person typed stays as typed."""
    if not code:
        return ""
    label = SOURCE_LABELS.get(code) or CHANNEL_LABELS.get(code.lower())
    if label:
        return label
    return code.replace("_", " ").capitalize() if _CODE.fullmatch(code) else code


COST_CATEGORIES = {"content": "Content work", "tools": "Tools", "promotion": "Promotion",
                   "other": "Other"}

# Column names of the tables the page shows and the exports write.
HIRES, ACTUAL_COST, COST_PER_HIRE = "Hires", "Actual cost", "Cost per hire"
SAVING_HEADHUNTER, SAVING_JOB_BOARDS = "Saving vs headhunter", "Saving vs job boards"
RUNNING_COSTS = "Running costs"
CUMULATIVE_SAVINGS, CUMULATIVE_COSTS = "Cumulative savings", "Cumulative running costs"


@dataclass(frozen=True)
class Assumptions:
    """What an admin sets: the reporting currency, the baselines and exchange rates."""

    currency: str = "USD"
    fee_rate: float = 0.20
    job_board_cost_per_hire: float = 4700.0
    rates: Mapping[str, float] | None = None  # one unit of a currency, in `currency`
    default_referral_bonus: float = 1500.0  # what a new job posting's referral bonus starts at

    def rate(self, currency: str) -> float | None:
        if currency == self.currency:
            return 1.0
        return (self.rates or {}).get(currency)


@dataclass(frozen=True)
class Totals:
    hires: float  # a what-if may give fractions of hires
    actual_cost: float
    saving_vs_headhunter: float
    saving_vs_job_boards: float
    running_costs: float

    @property
    def cost_per_hire(self) -> float | None:
        return self.actual_cost / self.hires if self.hires else None

    @property
    def roi(self) -> float | None:
        """(savings against a headhunter − running costs) ÷ running costs."""
        if not self.running_costs:
            return None
        return (self.saving_vs_headhunter - self.running_costs) / self.running_costs


@dataclass(frozen=True)
class SavingsReport:
    start: date
    end: date
    assumptions: Assumptions
    totals: Totals
    payback_month: date | None
    groups: pd.DataFrame  # converted sums per month, source, channel, department, scored
    by_source: pd.DataFrame
    by_department: pd.DataFrame
    by_month: pd.DataFrame
    rates_used: dict[str, float]  # the currencies met, and the rate each was converted at
    unconverted: dict[str, int]  # hires left out for want of a rate, by currency

    @property
    def average_referral_bonus(self) -> float | None:
        referrals = self.groups[self.groups["source"] == "referral"]
        hires = referrals["hires"].sum()
        return float(referrals["referral_bonus"].sum() / hires) if hires else None

    @property
    def referral_share(self) -> float:
        hires = self.groups["hires"].sum()
        return float(self.groups.loc[self.groups["source"] == "referral", "hires"].sum() / hires) \
            if hires else 0.0


# --- reading --------------------------------------------------------------------------------

def savings_report(actor: Actor, start: date, end: date) -> SavingsReport:
    with transaction(actor) as conn:
        return fetch_report(conn, start, end)


def fetch_report(conn: Connection, start: date, end: date) -> SavingsReport:
    """The report for hires dated `start` to `end`, both included, as `conn` may see them."""
    return build_report(hire_groups(conn, start, end), running_costs(conn, start, end),
                        load_assumptions(conn), start, end)


def load_assumptions(conn: Connection) -> Assumptions:
    row = conn.execute(sa.text(
        "select currency, headhunter_fee_rate, job_board_cost_per_hire, default_referral_bonus"
        " from public.savings_settings where id = 1")).first()
    rates = {currency.strip(): float(rate) for currency, rate in conn.execute(sa.text(
        "select currency, rate from public.exchange_rates order by currency"))}
    if row is None:  # never written: the defaults
        return Assumptions(rates=rates)
    return Assumptions(row.currency.strip(), float(row.headhunter_fee_rate),
                       float(row.job_board_cost_per_hire), rates, float(row.default_referral_bonus))


# Hires summed per group straight from the hires table, for the months the period covers
# only in part: at most its first and its last.
# Amounts arrive as float8, as the report computes with them: pandas turns thousands of
# Decimals into floats ten times slower than it reads floats.
_HIRE_SUMS = """
    select date_trunc('month', hire_date::timestamp)::date as month, source::text as source,
           coalesce(channel, '') as channel, department, currency,
           count(*) as hires, sum(first_year_salary)::float8 as salary,
           sum(referral_bonus)::float8 as referral_bonus, sum(ad_spend)::float8 as ad_spend,
           sum(job_board_fee)::float8 as job_board_fee, sum(agency_fee)::float8 as agency_fee,
           sum(other_cost)::float8 as other_cost
    from public.hires
    where hire_date between :start and :end {and_outside_whole_months}
    group by 1, 2, 3, 4, 5
"""
GROUPS_SQL = sa.text(
    f"""
    select month, source::text as source, channel, department, currency, hires, salary::float8,
           referral_bonus::float8, ad_spend::float8, job_board_fee::float8, agency_fee::float8,
           other_cost::float8
    from public.hire_totals
    where month >= :first_whole_month and month < :after_whole_months
    union all
    {_HIRE_SUMS.format(and_outside_whole_months=
                       "and (hire_date < :first_whole_month or hire_date >= :after_whole_months)")}
    """)  # noqa: S608 (constant text)
GROUPS_FROM_HIRES_SQL = sa.text(_HIRE_SUMS.format(and_outside_whole_months=""))


def hire_groups(conn: Connection, start: date, end: date) -> pd.DataFrame:
    """Hires dated `start` to `end` summed per month, source, channel, department and
    currency: whole months from the totals the database keeps, the rest from the hires."""
    first_whole, after_whole = whole_months(start, end)
    result = conn.execute(GROUPS_SQL, {"start": start, "end": end, "first_whole_month": first_whole,
                                        "after_whole_months": after_whole})
    return _groups_frame(result)


def hire_groups_from_hires(conn: Connection, start: date, end: date) -> pd.DataFrame:
    """The same sums, every one from the hires themselves (to check the kept totals)."""
    return _groups_frame(conn.execute(GROUPS_FROM_HIRES_SQL, {"start": start, "end": end}))


def whole_months(start: date, end: date) -> tuple[date, date]:
    """The first month that lies wholly in the period, and the first after the last such."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    return first, max(first, after)


def _next_month(day: date) -> date:
    return month_start(day, -1)


def _groups_frame(result: sa.CursorResult) -> pd.DataFrame:
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    return frame.astype({"hires": "int64", **dict.fromkeys(AMOUNT_COLUMNS, "float64")})


def running_costs(conn: Connection, start: date, end: date) -> pd.DataFrame:
    """Running costs of the months the period touches, by month and currency."""
    result = conn.execute(sa.text(
        "select month, currency, sum(amount)::float8 as amount from public.programme_costs"
        " where month between date_trunc('month', cast(:start as date)) and :end"
        " group by 1, 2"), {"start": start, "end": end})
    frame = pd.DataFrame(result.all(), columns=["month", "currency", "amount"])
    return frame.astype({"amount": "float64"})


# --- the model ------------------------------------------------------------------------------

def build_report(groups: pd.DataFrame, costs: pd.DataFrame, assumptions: Assumptions,
                 start: date, end: date) -> SavingsReport:
    """The report from summed hire groups and running costs (both in their own currencies)."""
    groups, groups_unconverted = _converted(groups, list(AMOUNT_COLUMNS), assumptions)
    costs, costs_unconverted = _converted(costs, ["amount"], assumptions)
    met = set(groups["currency"]) | set(costs["currency"])
    rates_used = {c: float(assumptions.rate(c)) for c in sorted(met)}
    unconverted = {str(c): int(n) for c, n in
                   groups_unconverted.groupby("currency")["hires"].sum().items()}
    unconverted |= {c: unconverted.get(c, 0) for c in sorted(set(costs_unconverted["currency"]))}

    scored = score(groups, assumptions.fee_rate, assumptions.job_board_cost_per_hire)
    by_month = _by_month(scored, costs, start, end)
    return SavingsReport(
        start=start, end=end, assumptions=assumptions,
        totals=_totals(scored, float(costs["amount"].sum())),
        payback_month=_payback_month(by_month), groups=scored,
        by_source=_table(scored, ["source", "channel"]),
        by_department=_table(scored, ["department"]),
        by_month=by_month, rates_used=rates_used, unconverted=unconverted,
    )


def _each_distinct(column: pd.Series, function) -> pd.Series:
    """`function` of every value of `column`, called once per distinct value (a few sources or
    currencies over thousands of groups)."""
    return column.map({value: function(value) for value in column.unique()})


def _converted(frame: pd.DataFrame, amounts: list[str],
               assumptions: Assumptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`frame`'s amounts in the reporting currency, and the rows left out for want of a rate."""
    frame = frame.assign(currency=frame["currency"].str.strip())
    rate = _each_distinct(frame["currency"], assumptions.rate).astype("float64")
    converted = frame[rate.notna()].copy()
    converted[amounts] = converted[amounts].mul(rate[rate.notna()], axis=0)
    return converted, frame[rate.isna()]


def _totals(scored: pd.DataFrame, running_costs: float) -> Totals:
    return Totals(
        hires=float(scored["hires"].sum()), actual_cost=float(scored["actual_cost"].sum()),
        saving_vs_headhunter=float(scored["saving_vs_headhunter"].sum()),
        saving_vs_job_boards=float(scored["saving_vs_job_boards"].sum()),
        running_costs=running_costs,
    )


def score(groups: pd.DataFrame, fee_rate: float, job_board_cost_per_hire: float) -> pd.DataFrame:
    """`groups` with each group's actual cost and savings against both baselines."""
    scored = groups.copy()
    scored["actual_cost"] = scored[list(COST_COLUMNS)].sum(axis=1)
    not_agency = scored["source"] != "agency"
    scored["saving_vs_headhunter"] = \
        (fee_rate * scored["salary"] - scored["actual_cost"]).where(not_agency, 0.0)
    on_job_board_baseline = scored["source"].isin(JOB_BOARD_BASELINE_SOURCES)
    scored["saving_vs_job_boards"] = \
        (job_board_cost_per_hire * scored["hires"] - scored["actual_cost"]).where(
            on_job_board_baseline, 0.0)
    return scored


def _table(scored: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    labelled = scored.assign(source=_each_distinct(scored["source"], source_label),
                             channel=_each_distinct(scored["channel"], source_label))
    table = labelled.groupby(keys, as_index=False, sort=False)[
        ["hires", "actual_cost", "saving_vs_headhunter", "saving_vs_job_boards"]].sum()
    table["cost_per_hire"] = table["actual_cost"] / table["hires"]
    table = table.sort_values(["saving_vs_headhunter", "hires"], ascending=False)
    return table.rename(columns={
        "source": "Source", "channel": "Channel", "department": "Department", "hires": HIRES,
        "actual_cost": ACTUAL_COST, "cost_per_hire": COST_PER_HIRE,
        "saving_vs_headhunter": SAVING_HEADHUNTER, "saving_vs_job_boards": SAVING_JOB_BOARDS,
    })[[*[k.capitalize() for k in keys], HIRES, ACTUAL_COST, COST_PER_HIRE, SAVING_HEADHUNTER,
        SAVING_JOB_BOARDS]].reset_index(drop=True)


def _by_month(scored: pd.DataFrame, costs: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Every month of the period, with or without hires, and the running totals."""
    months = pd.period_range(start, end, freq="M")
    hires = scored.assign(period=pd.PeriodIndex(pd.to_datetime(scored["month"]), freq="M")) \
        .groupby("period")[["hires", "actual_cost", "saving_vs_headhunter",
                            "saving_vs_job_boards"]].sum()
    spent = costs.assign(period=pd.PeriodIndex(pd.to_datetime(costs["month"]), freq="M")) \
        .groupby("period")["amount"].sum()
    table = hires.reindex(months, fill_value=0).assign(running_costs=spent.reindex(months,
                                                                                   fill_value=0))
    table["cumulative_savings"] = table["saving_vs_headhunter"].cumsum()
    table["cumulative_costs"] = table["running_costs"].cumsum()
    table = table.reset_index(names="month")
    table["month"] = table["month"].dt.start_time.dt.date
    return table.rename(columns={
        "month": "Month", "hires": HIRES, "actual_cost": ACTUAL_COST,
        "saving_vs_headhunter": SAVING_HEADHUNTER, "saving_vs_job_boards": SAVING_JOB_BOARDS,
        "running_costs": RUNNING_COSTS, "cumulative_savings": CUMULATIVE_SAVINGS,
        "cumulative_costs": CUMULATIVE_COSTS,
    }).astype({HIRES: "int64"})


def _payback_month(by_month: pd.DataFrame) -> date | None:
    """The first month whose cumulative savings pass the cumulative running costs."""
    if not by_month[RUNNING_COSTS].sum():
        return None  # nothing to pay back
    # Before the programme spent anything there was nothing to pay back either.
    paid_back = by_month[(by_month[CUMULATIVE_COSTS] > 0)
                         & (by_month[CUMULATIVE_SAVINGS] > by_month[CUMULATIVE_COSTS])]
    return None if paid_back.empty else paid_back["Month"].iloc[0]


# --- what if --------------------------------------------------------------------------------

def what_if(report: SavingsReport, *, fee_rate: float, referral_bonus: float,
            referral_share: float) -> Totals:
    """The period's totals had the fee rate, the referral bonus and the share of hires made
    by referral been different.

    The number of hires stays the same. Referral hires are scaled to the new share and
    each costs the new bonus plus its other costs; the other hires are scaled to the rest,
    keeping their mix of sources and their costs per hire. Without referral hires to scale,
    a referral hire is assumed to earn the average salary and cost only its bonus; without
    other hires, the rest are assumed to be job-board hires at the baseline cost per hire.
    """
    groups = report.groups
    total = float(groups["hires"].sum())
    if not total:
        return replace(report.totals)
    is_referral = groups["source"] == "referral"
    referrals, others = groups[is_referral], groups[~is_referral]
    target_referrals = referral_share * total
    average_salary = float(groups["salary"].sum() / total)

    referrals = _scaled(referrals, target_referrals) if referrals["hires"].sum() else \
        _assumed(target_referrals, "referral", average_salary, 0.0)
    referrals["referral_bonus"] = referral_bonus * referrals["hires"]
    others = _scaled(others, total - target_referrals) if others["hires"].sum() else \
        _assumed(total - target_referrals, "job_board", average_salary,
                 report.assumptions.job_board_cost_per_hire)
    scored = score(pd.concat([referrals, others], ignore_index=True), fee_rate,
                   report.assumptions.job_board_cost_per_hire)
    return _totals(scored, report.totals.running_costs)


def _scaled(groups: pd.DataFrame, hires: float) -> pd.DataFrame:
    factor = hires / float(groups["hires"].sum())
    scaled = groups.copy().astype({"hires": "float64"})
    scaled[["hires", *AMOUNT_COLUMNS]] = scaled[["hires", *AMOUNT_COLUMNS]] * factor
    return scaled


def _assumed(hires: float, source: str, salary: float, cost_per_hire: float) -> pd.DataFrame:
    return pd.DataFrame([{"source": source, "hires": hires, "salary": salary * hires,
                          **dict.fromkeys(COST_COLUMNS, 0.0),
                          "other_cost": cost_per_hire * hires}])
