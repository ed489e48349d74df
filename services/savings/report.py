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
(`public.hire_totals`), and the report works on those groups, a few thousand rows however
many hires there are, as numpy columns (pandas only for the tables it hands out).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

import numpy as np
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
    by_source: pd.DataFrame
    by_department: pd.DataFrame
    by_month: pd.DataFrame
    rates_used: dict[str, float]  # the currencies met, and the rate each was converted at
    unconverted: dict[str, int]  # hires left out for want of a rate, by currency
    # The converted sums per month, source, channel, department, scored, as columns: the
    # what-if and the headline figures read them; `groups` is their frame.
    group_columns: Mapping[str, np.ndarray] = field(repr=False, compare=False)
    group_index: pd.Index = field(repr=False, compare=False)

    @cached_property
    def groups(self) -> pd.DataFrame:
        """The groups as a frame, built the first time something asks (the exports' detail):
        the page shows only the tables."""
        return _frame(self.group_columns, self.group_index)

    @property
    def average_referral_bonus(self) -> float | None:
        is_referral = self.group_columns["source"] == "referral"
        hires = self.group_columns["hires"][is_referral].sum()
        return float(self.group_columns["referral_bonus"][is_referral].sum() / hires) \
            if hires else None

    @property
    def referral_share(self) -> float:
        hires = self.group_columns["hires"]
        total = hires.sum()
        return float(hires[self.group_columns["source"] == "referral"].sum() / total) \
            if total else 0.0


# --- reading --------------------------------------------------------------------------------

def savings_report(actor: Actor, start: date, end: date) -> SavingsReport:
    with transaction(actor) as conn:
        return fetch_report(conn, start, end)


def fetch_report(conn: Connection, start: date, end: date) -> SavingsReport:
    """The report for hires dated `start` to `end`, both included, as `conn` may see them."""
    assumptions = load_assumptions(conn)
    costs = running_costs(conn, start, end)
    return _report(_columns(conn.execute(GROUPS_SQL, _groups_parameters(start, end))), None,
                   costs, assumptions, start, end)


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
    return _groups_frame(conn.execute(GROUPS_SQL, _groups_parameters(start, end)))


def _groups_parameters(start: date, end: date) -> dict[str, date]:
    first_whole, after_whole = whole_months(start, end)
    return {"start": start, "end": end, "first_whole_month": first_whole,
            "after_whole_months": after_whole}


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


def _columns(result: sa.CursorResult) -> dict[str, np.ndarray]:
    """A result's rows as columns: counts as int64, amounts as float64, the rest as objects
    (pandas reads a list of rows one value at a time, far slower than the same values as
    columns, and SQLAlchemy's rows make it slower still)."""
    keys = list(result.keys())
    rows = result.all()
    values = zip(*rows, strict=True) if rows else ((),) * len(keys)
    return {key: np.array(column, dtype="int64" if key == "hires" else "float64"
                          if key in (*AMOUNT_COLUMNS, "amount") else object)
            for key, column in zip(keys, values, strict=True)}


def _groups_frame(result: sa.CursorResult) -> pd.DataFrame:
    return _frame(_columns(result))


def _frame(columns: Mapping[str, np.ndarray], index: pd.Index | None = None) -> pd.DataFrame:
    """A frame of `columns`; text columns of no rows are objects, as pandas makes them."""
    return pd.DataFrame({key: pd.Series(column, dtype=object, index=index)
                         if column.dtype == object and not len(column) else column
                         for key, column in columns.items()}, index=index)


def running_costs(conn: Connection, start: date, end: date) -> pd.DataFrame:
    """Running costs of the months the period touches, by month and currency."""
    return _frame(_columns(conn.execute(sa.text(
        "select month, currency, sum(amount)::float8 as amount from public.programme_costs"
        " where month between date_trunc('month', cast(:start as date)) and :end"
        " group by 1, 2"), {"start": start, "end": end})))


# --- the model ------------------------------------------------------------------------------

def build_report(groups: pd.DataFrame, costs: pd.DataFrame, assumptions: Assumptions,
                 start: date, end: date) -> SavingsReport:
    """The report from summed hire groups and running costs (both in their own currencies)."""
    return _report({column: groups[column].to_numpy() for column in groups.columns}, groups.index,
                   costs, assumptions, start, end)


def _report(groups: Mapping[str, np.ndarray], index: pd.Index | None, costs: pd.DataFrame,
            assumptions: Assumptions, start: date, end: date) -> SavingsReport:
    """The report from the groups' columns (`index` their frame's, if they came in one).

    A few thousand groups at most, and every table a sum of them: the groups are scored
    once as numpy columns, and each table is one `np.bincount` per figure over the groups'
    numbers in that table (a pandas groupby, merge or reindex costs a millisecond each
    whatever the data, more than the sums themselves). The groups' own frame is built only
    if something asks for it (`SavingsReport.groups`)."""
    currencies, rates = _rates_of(groups["currency"], assumptions)
    converted = ~np.isnan(rates)
    every = bool(converted.all())

    def kept(values: np.ndarray) -> np.ndarray:
        return values if every else values[converted]

    all_hires = np.asarray(groups["hires"], dtype="int64")
    hires = kept(all_hires)
    rate = kept(rates)
    amounts = {column: kept(np.asarray(groups[column], dtype="float64")) * rate
               for column in AMOUNT_COLUMNS}
    scored = {column: kept(values) for column, values in groups.items()} | {
        "currency": kept(currencies), "hires": hires, **amounts}
    figures = _scored(scored["source"], hires, amounts, assumptions.fee_rate,
                      assumptions.job_board_cost_per_hire)

    cost_months, cost_currencies, cost_amounts = _converted_costs(costs, assumptions)
    met = set(scored["currency"].tolist()) | set(cost_currencies)
    rates_used = {c: float(assumptions.rate(c)) for c in sorted(met)}
    unconverted: dict[str, int] = {}
    if not every:
        left_out, left_out_hires = currencies[~converted], all_hires[~converted]
        for currency in sorted(set(left_out.tolist())):
            unconverted[str(currency)] = int(left_out_hires[left_out == currency].sum())
    unconverted |= {c: unconverted.get(c, 0) for c in sorted(
        {c.strip() for c in costs["currency"] if assumptions.rate(c.strip()) is None})}

    if index is None:
        index = pd.RangeIndex(len(all_hires))
    summed = {"hires": hires, **figures}
    by_month = _by_month(scored["month"], summed, cost_months, cost_amounts, start, end)
    return SavingsReport(
        start=start, end=end, assumptions=assumptions,
        totals=Totals(hires=float(hires.sum()), actual_cost=float(figures["actual_cost"].sum()),
                      saving_vs_headhunter=float(figures["saving_vs_headhunter"].sum()),
                      saving_vs_job_boards=float(figures["saving_vs_job_boards"].sum()),
                      running_costs=float(np.sum(cost_amounts))),
        payback_month=_payback_month(by_month),
        group_columns=scored | figures, group_index=index if every else index[converted],
        by_source=_table({"Source": _labelled(scored["source"]),
                          "Channel": _labelled(scored["channel"])}, summed),
        by_department=_table({"Department": pd.factorize(scored["department"],
                                                         use_na_sentinel=False)}, summed),
        by_month=by_month, rates_used=rates_used, unconverted=unconverted,
    )


_SUMMED = ("actual_cost", "saving_vs_headhunter", "saving_vs_job_boards")


def _rates_of(currency: np.ndarray, assumptions: Assumptions) -> tuple[np.ndarray, np.ndarray]:
    """Each row's currency code (stripped: a char(3) column pads) and its rate, NaN where
    there is none; looked up once per distinct code."""
    codes, distinct = pd.factorize(currency, use_na_sentinel=False)
    stripped = np.array([str(c).strip() for c in distinct], dtype=object)
    rates = np.array([assumptions.rate(c) for c in stripped], dtype="float64")
    return stripped[codes], rates[codes]


def _converted_costs(costs: pd.DataFrame, assumptions: Assumptions
                     ) -> tuple[list, list[str], np.ndarray]:
    """The running costs that have a rate: months, currencies, amounts in the reporting
    currency (a few rows, a month's categories summed per currency)."""
    months, currencies, amounts = [], [], []
    for month, currency, amount in zip(costs["month"], costs["currency"], costs["amount"],
                                       strict=True):
        rate = assumptions.rate(currency.strip())
        if rate is not None:
            months.append(month)
            currencies.append(currency.strip())
            amounts.append(float(amount) * rate)
    return months, currencies, np.array(amounts, dtype="float64")


def _scored(sources: np.ndarray | pd.Series, hires: np.ndarray,
            amounts: Mapping[str, np.ndarray], fee_rate: float,
            job_board_cost_per_hire: float) -> dict[str, np.ndarray]:
    """Each group's actual cost and savings against both baselines (see the module's
    docstring), as arrays."""
    actual_cost = amounts[COST_COLUMNS[0]].copy()
    for column in COST_COLUMNS[1:]:
        actual_cost += amounts[column]
    codes, distinct = pd.factorize(sources, use_na_sentinel=False)
    not_agency = np.array([s != "agency" for s in distinct], dtype=bool)[codes]
    on_baseline = np.array([s in JOB_BOARD_BASELINE_SOURCES for s in distinct], dtype=bool)[codes]
    return {
        "actual_cost": actual_cost,
        "saving_vs_headhunter": np.where(
            not_agency, fee_rate * amounts["salary"] - actual_cost, 0.0),
        "saving_vs_job_boards": np.where(
            on_baseline, job_board_cost_per_hire * hires - actual_cost, 0.0),
    }


def score(groups: pd.DataFrame, fee_rate: float, job_board_cost_per_hire: float) -> pd.DataFrame:
    """`groups` with each group's actual cost and savings against both baselines."""
    amounts = {column: groups[column].to_numpy(dtype="float64") for column in AMOUNT_COLUMNS}
    return groups.assign(**_scored(groups["source"], groups["hires"].to_numpy(dtype="float64"),
                                   amounts, fee_rate, job_board_cost_per_hire))


def _labelled(column: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each row's label as (codes, labels): `source_label` called once per distinct code, and
    codes written the same way (twitter, x) given one label."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    label_codes, labels = pd.factorize(np.array([source_label(c) for c in distinct], dtype=object))
    return label_codes[codes], list(labels)


def _table(keys: Mapping[str, tuple[np.ndarray, object]],
           summed: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """`summed` added up per distinct combination of `keys` (each as codes and their values),
    in the order the combinations first appear, then largest saving vs headhunter first."""
    combined = np.zeros(len(summed["hires"]), dtype="int64")
    for codes, values in keys.values():
        combined = combined * len(values) + codes
    group, first = pd.factorize(combined)
    count = len(first)
    hires = np.bincount(group, weights=summed["hires"], minlength=count).astype("int64")
    sums = {f: np.bincount(group, weights=summed[f], minlength=count).astype("float64")
            for f in _SUMMED}
    order = sorted(range(count), key=lambda i: (-sums["saving_vs_headhunter"][i], -hires[i]))
    columns = {}
    for name, (_codes, values) in reversed(list(keys.items())):  # undo the combination
        columns[name] = [values[i] for i in first % len(values)]
        first = first // len(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost_per_hire = sums["actual_cost"] / hires
    return pd.DataFrame({
        **{name: np.array([columns[name][i] for i in order], dtype=object) for name in keys},
        HIRES: hires[order], ACTUAL_COST: sums["actual_cost"][order],
        COST_PER_HIRE: cost_per_hire[order],
        SAVING_HEADHUNTER: sums["saving_vs_headhunter"][order],
        SAVING_JOB_BOARDS: sums["saving_vs_job_boards"][order]})


def _month_numbers(months: np.ndarray | list, start: date, count: int) -> np.ndarray:
    """Each month's place in the period counted from `start`'s month, -1 outside it; computed
    once per distinct month."""
    codes, distinct = pd.factorize(pd.Series(months, dtype=object), use_na_sentinel=False)
    places = np.array([(m.year - start.year) * 12 + m.month - start.month for m in distinct],
                      dtype="int64")
    places[(places < 0) | (places >= count)] = -1
    return places[codes] if len(codes) else np.zeros(0, dtype="int64")


def _by_month(months: np.ndarray, summed: Mapping[str, np.ndarray], cost_months: list,
              cost_amounts: np.ndarray, start: date, end: date) -> pd.DataFrame:
    """Every month of the period, with or without hires, and the running totals."""
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    place = _month_numbers(months, start, count)
    inside = place >= 0

    def per_month(places: np.ndarray, weights: np.ndarray, inside: np.ndarray) -> np.ndarray:
        return np.bincount(places[inside], weights=weights[inside],
                           minlength=count)[:count].astype("float64")

    figures = {f: per_month(place, summed[f], inside) for f in ("hires", *_SUMMED)}
    cost_place = _month_numbers(cost_months, start, count)
    running = per_month(cost_place, cost_amounts, cost_place >= 0)
    return pd.DataFrame({
        "Month": [month_start(start, -i) for i in range(count)],
        HIRES: figures["hires"].astype("int64"), ACTUAL_COST: figures["actual_cost"],
        SAVING_HEADHUNTER: figures["saving_vs_headhunter"],
        SAVING_JOB_BOARDS: figures["saving_vs_job_boards"], RUNNING_COSTS: running,
        CUMULATIVE_SAVINGS: np.cumsum(figures["saving_vs_headhunter"]),
        CUMULATIVE_COSTS: np.cumsum(running)})


def _payback_month(by_month: pd.DataFrame) -> date | None:
    """The first month whose cumulative savings pass the cumulative running costs."""
    if not by_month[RUNNING_COSTS].sum():
        return None  # nothing to pay back
    # Before the programme spent anything there was nothing to pay back either.
    costs, savings = by_month[CUMULATIVE_COSTS].to_numpy(), by_month[CUMULATIVE_SAVINGS].to_numpy()
    paid_back = np.flatnonzero((costs > 0) & (savings > costs))
    return by_month["Month"].iloc[paid_back[0]] if len(paid_back) else None


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
    groups = report.group_columns
    total = float(groups["hires"].sum())
    if not total:
        return replace(report.totals)
    is_referral = groups["source"] == "referral"
    target_referrals = referral_share * total
    average_salary = float(groups["salary"].sum() / total)
    baseline = report.assumptions.job_board_cost_per_hire

    referrals = _scaled(groups, is_referral, target_referrals) \
        if groups["hires"][is_referral].sum() else \
        _assumed(target_referrals, "referral", average_salary, 0.0)
    referrals["referral_bonus"] = referral_bonus * referrals["hires"]
    others = _scaled(groups, ~is_referral, total - target_referrals) \
        if groups["hires"][~is_referral].sum() else \
        _assumed(total - target_referrals, "job_board", average_salary, baseline)
    both = {column: np.concatenate([referrals[column], others[column]])
            for column in ("source", "hires", *AMOUNT_COLUMNS)}
    figures = _scored(both["source"], both["hires"], both, fee_rate, baseline)
    return Totals(hires=float(both["hires"].sum()), actual_cost=float(figures["actual_cost"].sum()),
                  saving_vs_headhunter=float(figures["saving_vs_headhunter"].sum()),
                  saving_vs_job_boards=float(figures["saving_vs_job_boards"].sum()),
                  running_costs=report.totals.running_costs)


def _scaled(groups: Mapping[str, np.ndarray], rows: np.ndarray,
            hires: float) -> dict[str, np.ndarray]:
    factor = hires / float(groups["hires"][rows].sum())
    return {"source": groups["source"][rows],
            **{column: groups[column][rows].astype("float64") * factor
               for column in ("hires", *AMOUNT_COLUMNS)}}


def _assumed(hires: float, source: str, salary: float,
             cost_per_hire: float) -> dict[str, np.ndarray]:
    return {"source": np.array([source], dtype=object), "hires": np.array([hires]),
            "salary": np.array([salary * hires]),
            **{column: np.zeros(1) for column in COST_COLUMNS},
            "other_cost": np.array([cost_per_hire * hires])}
