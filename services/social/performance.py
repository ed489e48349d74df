"""What each social post brought, and at what cost: the measurement the HR social-media
strategy asks for, so that the posts that work become the model for the next ones.

For a period (both days included), per published post and per channel:

- **visits**: visits to the post's posting through its tracked link, in the period (the job
  page counts one per browser session);
- **applications**: applications made through that link, in the period;
- **hires**: hires dated in the period whose application came through that link;
- **conversion**: applications ÷ visits, and hires ÷ applications;
- **cost**: what was recorded as spent on the post in the period, converted to the
  reporting currency at the admin's exchange rates (spend in a currency without a rate is
  left out and reported); then cost per application and per hire.

A visit or application only counts for a post when it was to the post's own posting (a
post id pasted onto another job's link credits nothing). Posts shown are those published
in the period and older ones that still brought something in it. Every sum is one grouped
SQL query per table, under the signed-in user's row-level security.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.db import one_transaction, transaction
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from portal.spreadsheets import COUNT, DAY, PERCENT_1, money, xlsx_bytes

PAGE_SIZE = 20
EVER = date(2000, 1, 1)  # the start of "all time" for one posting's results


@dataclass(frozen=True)
class ResultsFilter:
    start: date
    end: date
    channel_id: UUID | None = None
    job_id: UUID | None = None

    def params(self) -> dict:
        return {"start": self.start, "after_end": self.end + timedelta(days=1), "end": self.end,
                "channel": self.channel_id, "job": self.job_id}


@dataclass(frozen=True)
class Figures:
    visits: int
    applications: int
    hires: int
    cost: float | None  # None: nothing recorded (or only in currencies without a rate)

    @property
    def application_rate(self) -> float | None:
        """Applications per visit."""
        return self.applications / self.visits if self.visits else None

    @property
    def hire_rate(self) -> float | None:
        """Hires per application."""
        return self.hires / self.applications if self.applications else None

    @property
    def cost_per_application(self) -> float | None:
        return self.cost / self.applications if self.cost is not None and self.applications else None

    @property
    def cost_per_hire(self) -> float | None:
        return self.cost / self.hires if self.cost is not None and self.hires else None


@dataclass(frozen=True)
class PostResult(Figures):
    post_id: UUID
    job_id: UUID
    job_title: str
    channel: str
    published_at: datetime


@dataclass(frozen=True)
class ChannelResult(Figures):
    channel_id: UUID
    channel: str
    network: str
    audience: str
    posts: int


@dataclass(frozen=True)
class CostCurrencies:
    """The reporting currency and the currencies spend may be recorded in."""

    currency: str
    rates: dict[str, float]

    @property
    def known(self) -> list[str]:
        return [self.currency, *sorted(c for c in self.rates if c != self.currency)]


# Published posts in the filter, and each one's sums: one grouped query per table. The
# period is [start, after_end) for timestamps and [start, end] for dates. Visits and
# applications are summed per (post, posting) first and then matched to the post's own
# posting: a few hundred groups to join instead of every row.
_RESULTS = """
    with reporting as (
      select coalesce((select currency from public.savings_settings where id = 1), 'USD') as currency
    ),
    posts as (
      select p.id, p.job_id, p.channel_id, p.published_at
      from public.social_posts p
      where p.status = 'published' and p.published_at < :after_end
        and (cast(:channel as uuid) is null or p.channel_id = :channel)
        and (cast(:job as uuid) is null or p.job_id = :job)
    ),
    visits as (
      select v.post_id, v.job_id, count(*) as visits
      from public.job_visits v
      where v.post_id is not null and v.visited_at >= :start and v.visited_at < :after_end
      group by v.post_id, v.job_id
    ),
    applications as (
      select a.post_id, a.job_id, count(*) as applications
      from public.applications a
      where a.post_id is not null and a.created_at >= :start and a.created_at < :after_end
      group by a.post_id, a.job_id
    ),
    hires as (
      select a.post_id, a.job_id, count(*) as hires
      from public.hires h join public.applications a on a.id = h.application_id
      where a.post_id is not null and h.hire_date between :start and :end
      group by a.post_id, a.job_id
    ),
    costs as (
      select c.post_id, sum(c.amount * case when c.currency = r.currency then 1 else x.rate end) as cost
      from public.social_post_costs c
      cross join reporting r
      left join public.exchange_rates x on x.currency = c.currency
      where c.spent_on between :start and :end
      group by c.post_id
    ),
    results as (
      select p.id as post_id, p.job_id, p.channel_id, p.published_at,
             coalesce(v.visits, 0) as visits, coalesce(a.applications, 0) as applications,
             coalesce(h.hires, 0) as hires, c.cost
      from posts p
      left join visits v on v.post_id = p.id and v.job_id = p.job_id
      left join applications a on a.post_id = p.id and a.job_id = p.job_id
      left join hires h on h.post_id = p.id and h.job_id = p.job_id
      left join costs c on c.post_id = p.id
      where p.published_at >= :start or v.post_id is not null or a.post_id is not null
         or h.post_id is not null or c.post_id is not null
    )
"""
_BEST_FIRST = "hires desc, applications desc, visits desc"

_POSTS_SQL = sa.text(_RESULTS + f"""
    select r.post_id, r.job_id, j.title as job_title, ch.name as channel, r.published_at,
           r.visits, r.applications, r.hires, r.cost, count(*) over () as total
    from results r
    join public.jobs j on j.id = r.job_id
    join public.social_channels ch on ch.id = r.channel_id
    order by {_BEST_FIRST}, r.published_at desc, r.post_id
    limit :limit offset :offset
""")  # noqa: S608 (constant text)

_CHANNELS_SQL = sa.text(_RESULTS + f"""
    select ch.id as channel_id, ch.name as channel, ch.network::text as network, ch.audience,
           count(*) as posts, sum(r.visits) as visits, sum(r.applications) as applications,
           sum(r.hires) as hires, sum(r.cost) as cost
    from results r join public.social_channels ch on ch.id = r.channel_id
    group by ch.id
    order by {_BEST_FIRST}, ch.name
""")  # noqa: S608 (constant text)

# Spend left out of the figures for want of an exchange rate, by currency.
_UNCONVERTED_SQL = sa.text("""
    select c.currency, count(*) as costs
    from public.social_post_costs c
    join public.social_posts p on p.id = c.post_id and p.status = 'published'
    where c.spent_on between :start and :end
      and (cast(:channel as uuid) is null or p.channel_id = :channel)
      and (cast(:job as uuid) is null or p.job_id = :job)
      and c.currency <> coalesce((select currency from public.savings_settings where id = 1), 'USD')
      and not exists (select 1 from public.exchange_rates x where x.currency = c.currency)
    group by c.currency order by c.currency
""")


def _figures(row) -> dict:
    return {"visits": int(row.visits), "applications": int(row.applications), "hires": int(row.hires),
            "cost": None if row.cost is None else float(row.cost)}


def _post(row) -> PostResult:
    return PostResult(**_figures(row), post_id=row.post_id, job_id=row.job_id, job_title=row.job_title,
                      channel=row.channel, published_at=row.published_at)


# --- reading --------------------------------------------------------------------------------

def post_results(actor: Actor, results_filter: ResultsFilter, page: int = 1,
                 size: int = PAGE_SIZE) -> Page[PostResult]:
    """One page of the posts' results, best first (by hires, then applications, then visits)."""
    with transaction(actor) as conn:
        rows = conn.execute(_POSTS_SQL, {**results_filter.params(), "limit": size,
                                         "offset": Page.offset(page, size)}).all()
        if not rows and page > 1:  # a page past the end (the filter changed): the first page
            return post_results(actor, results_filter, 1, size)
    return Page([_post(r) for r in rows], rows[0].total if rows else 0, max(1, page), size)


def all_post_results(actor: Actor, results_filter: ResultsFilter) -> list[PostResult]:
    """Every post's results in the filter, best first (for the exports)."""
    with transaction(actor) as conn:
        rows = conn.execute(_POSTS_SQL, {**results_filter.params(), "limit": None, "offset": 0}).all()
    return [_post(r) for r in rows]


def posting_results(actor: Actor, job_id: UUID, today: date | None = None) -> list[PostResult]:
    """What each published post of one posting brought since it went out, best first."""
    return all_post_results(actor, ResultsFilter(EVER, today or date.today(), job_id=job_id))


def channel_results(actor: Actor, results_filter: ResultsFilter) -> list[ChannelResult]:
    """The posts' results summed per channel, best first."""
    with transaction(actor) as conn:
        rows = conn.execute(_CHANNELS_SQL, results_filter.params()).all()
    return [ChannelResult(**_figures(r), channel_id=r.channel_id, channel=r.channel, network=r.network,
                          audience=r.audience, posts=int(r.posts)) for r in rows]


def unconverted_costs(actor: Actor, results_filter: ResultsFilter) -> dict[str, int]:
    """How many recorded costs each currency without an exchange rate left out."""
    with transaction(actor) as conn:
        return {c.strip(): int(n) for c, n in conn.execute(_UNCONVERTED_SQL, results_filter.params())}


def channels(actor: Actor) -> list[tuple[UUID, str]]:
    """Every channel (id, name), for the filter."""
    with transaction(actor) as conn:
        return [(r.id, r.name) for r in conn.execute(sa.text(
            "select id, name from public.social_channels order by name"))]


def published_posts(actor: Actor, limit: int = 500) -> dict[str, UUID]:
    """Published posts newest first, by a label a person can choose from ("posting · channel ·
    date", numbered when two are alike): what spend is recorded on."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select p.id, j.title, c.name, p.published_at from public.social_posts p"
            " join public.jobs j on j.id = p.job_id join public.social_channels c on c.id = p.channel_id"
            " where p.status = 'published' order by p.published_at desc, p.id limit :limit"),
            {"limit": limit}).all()
    posts: dict[str, UUID] = {}
    for row in rows:
        label = base = f"{row.title} · {row.name} · {row.published_at:%d %b %Y}"
        while label in posts:
            label = f"{base} ({sum(k.startswith(base) for k in posts) + 1})"
        posts[label] = row.id
    return posts


# --- spend ----------------------------------------------------------------------------------

def cost_currencies(actor: Actor) -> CostCurrencies:
    with transaction(actor) as conn:
        return _cost_currencies(conn)


def _cost_currencies(conn: Connection) -> CostCurrencies:
    currency = conn.execute(sa.text(
        "select coalesce((select currency from public.savings_settings where id = 1), 'USD')")).scalar_one()
    rates = {c.strip(): float(r) for c, r in conn.execute(sa.text(
        "select currency, rate from public.exchange_rates"))}
    return CostCurrencies(currency.strip(), rates)


@dataclass(frozen=True)
class RecordedCost:
    id: UUID
    post: str
    amount: float
    currency: str
    spent_on: date
    note: str
    recorded_by: str | None


def record_cost(actor: Actor, post_id: UUID | None, amount: float | None, currency: str | None,
                spent_on: date | None, note: str = "", today: date | None = None) -> UUID:
    """Record what was spent on a published post, in the reporting currency or one with a rate."""
    if post_id is None:
        raise ValidationError("Choose the post the money was spent on.")
    if amount is None or not math.isfinite(amount) or amount <= 0:
        raise ValidationError("Amount: enter how much was spent, more than 0.")
    amount = validation.money_amount("Amount", amount)
    code = validation.currency_code(currency)
    if spent_on is None:
        raise ValidationError("Spent on: choose the day the money was spent.")
    if spent_on > (today or date.today()):
        raise ValidationError("Spent on: the day cannot be in the future; record spend once it is made.")
    note = validation.text("Note", note, maximum=500)
    with transaction(actor) as conn:
        known = _cost_currencies(conn)
        if code not in known.known:
            raise ValidationError(
                f"There is no exchange rate for {code}, so this spend could not be counted. Use "
                f"{', '.join(known.known)}, or ask an admin to add a rate for {code} under "
                "Running costs & assumptions.")
        published = conn.execute(sa.text(
            "select status = 'published' from public.social_posts where id = :id"),
            {"id": post_id}).scalar()
        if published is None:
            raise NotFound("That post does not exist, or you cannot see it.")
        if not published:
            raise ValidationError("Spend is recorded on published posts only.")
        cost_id = conn.execute(sa.text(
            "insert into public.social_post_costs (post_id, amount, currency, spent_on, note)"
            " values (:post, :amount, :currency, :spent_on, :note) returning id"),
            {"post": post_id, "amount": round(amount, 2), "currency": code, "spent_on": spent_on,
             "note": note}).scalar_one()
        audit.record(conn, "post_cost.recorded", "social_post", str(post_id),
                     {"amount": f"{amount:.2f}", "currency": code})
    return cost_id


def recorded_costs(actor: Actor, results_filter: ResultsFilter, limit: int = 200) -> list[RecordedCost]:
    """Spend recorded in the period on the filter's posts, newest first."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select c.id, j.title || ' · ' || ch.name as post, c.amount, c.currency, c.spent_on, c.note,"
            " pr.full_name as recorded_by"
            " from public.social_post_costs c join public.social_posts p on p.id = c.post_id"
            " join public.jobs j on j.id = p.job_id join public.social_channels ch on ch.id = p.channel_id"
            " left join public.profiles pr on pr.id = c.recorded_by"
            " where c.spent_on between :start and :end"
            " and (cast(:channel as uuid) is null or p.channel_id = :channel)"
            " and (cast(:job as uuid) is null or p.job_id = :job)"
            " order by c.spent_on desc, c.recorded_at desc limit :limit"),
            {**results_filter.params(), "limit": limit}).all()
    return [RecordedCost(r.id, r.post, float(r.amount), r.currency.strip(), r.spent_on, r.note,
                         r.recorded_by) for r in rows]


def delete_cost(actor: Actor, cost_id: UUID) -> None:
    """Remove a spend recorded by mistake (admins only: the database refuses others)."""
    with transaction(actor) as conn:
        deleted = conn.execute(sa.text(
            "delete from public.social_post_costs where id = :id returning post_id"),
            {"id": cost_id}).scalar()
        if deleted is None:
            raise NotFound("That cost is gone already, or only an admin may delete it.")
        audit.record(conn, "post_cost.deleted", "social_post", str(deleted), {"cost": str(cost_id)})


# --- tables, chart and exports ----------------------------------------------------------------

VISITS, APPLICATIONS, HIRES = "Visits", "Applications", "Hires"
APPLICATION_RATE, HIRE_RATE = "Applications per visit", "Hires per application"
COST, COST_PER_APPLICATION, COST_PER_HIRE = "Cost", "Cost per application", "Cost per hire"
MONEY_COLUMNS = (COST, COST_PER_APPLICATION, COST_PER_HIRE)
RATE_COLUMNS = (APPLICATION_RATE, HIRE_RATE)


@dataclass(frozen=True)
class PerformanceChoices:
    """What the Post performance page's filters and spend form offer, read in one transaction."""

    channels: list[tuple[UUID, str]]
    currencies: CostCurrencies
    published_posts: dict[str, UUID]


def performance_choices(actor: Actor) -> PerformanceChoices:
    with one_transaction(actor):
        return PerformanceChoices(channels(actor), cost_currencies(actor), published_posts(actor))


@dataclass(frozen=True)
class PerformanceResults:
    """The Post performance page's figures for one filter, read in one transaction."""

    unconverted_costs: dict[str, int]  # recorded costs left out, by currency without a rate
    by_channel: list[ChannelResult]
    posts: Page[PostResult]  # the page of posts asked for, best first
    recorded_costs: list[RecordedCost]


def performance_results(actor: Actor, results_filter: ResultsFilter, page: int = 1) -> PerformanceResults:
    with one_transaction(actor):
        return PerformanceResults(unconverted_costs(actor, results_filter),
                                  channel_results(actor, results_filter),
                                  post_results(actor, results_filter, page),
                                  recorded_costs(actor, results_filter))


def _figure_columns(result: Figures) -> dict:
    return {VISITS: result.visits, APPLICATIONS: result.applications, HIRES: result.hires,
            APPLICATION_RATE: result.application_rate, HIRE_RATE: result.hire_rate, COST: result.cost,
            COST_PER_APPLICATION: result.cost_per_application, COST_PER_HIRE: result.cost_per_hire}


def post_row(result: PostResult) -> dict:
    return {"Posting": result.job_title, "Channel": result.channel,
            "Published": result.published_at.date(), **_figure_columns(result)}


def channel_row(result: ChannelResult) -> dict:
    return {"Channel": result.channel, "Audience": result.audience.capitalize(), "Posts": result.posts,
            **_figure_columns(result)}


def posts_table(results: list[PostResult]) -> pd.DataFrame:
    return pd.DataFrame([post_row(r) for r in results],
                        columns=["Posting", "Channel", "Published", *_figure_columns(_NONE)])


def channels_table(results: list[ChannelResult]) -> pd.DataFrame:
    return pd.DataFrame([channel_row(r) for r in results],
                        columns=["Channel", "Audience", "Posts", *_figure_columns(_NONE)])


_NONE = Figures(0, 0, 0, None)


CHANNEL_CHARTS_TITLE = "What each channel's posts brought"


def channel_charts(table: pd.DataFrame) -> list[dict]:
    """Visits, applications and hires per channel, one chart each on its own scale (there are
    far more visits than hires), channels in the tables' order. Separate charts, each naming
    the channels, so that a page can set them side by side on a computer and one under the
    other on a phone. Vega-Lite specs for `table`, as dicts (what Altair's charts gave): Altair
    would check each chart against its schema on every rerun, about 15 ms a chart."""
    order = list(table["Channel"])
    return [{"title": figure, "width": 170, "height": {"step": 24},
             "mark": {"type": "bar", "color": colour},
             "encoding": {
                 "x": {"field": figure, "type": "quantitative", "title": None,
                       "axis": {"format": "~s", "tickMinStep": 1}},
                 "y": {"field": "Channel", "type": "nominal", "sort": order, "title": None},
                 "tooltip": [{"field": "Channel", "type": "nominal"},
                             {"field": figure, "type": "quantitative", "format": ","}]}}
            for figure, colour in ((VISITS, "#90caf9"), (APPLICATIONS, "#1565c0"), (HIRES, "#2e7d32"))]


def file_name(kind: str, results_filter: ResultsFilter, extension: str) -> str:
    return f"post-performance-{kind}-{results_filter.start}-to-{results_filter.end}.{extension}"


HOW_IT_IS_COMPUTED = (
    "Visits and applications came through the post's tracked link in the period (one visit per "
    "browser session); hires are dated in the period and their application came through the link; "
    "cost is the spend recorded on the post in the period, in the reporting currency.")


def to_xlsx(channels: pd.DataFrame, posts: pd.DataFrame, results_filter: ResultsFilter,
            currency: str) -> bytes:
    """Both tables in one workbook, after a sheet saying what they cover."""
    summary = pd.DataFrame([("Period", f"{results_filter.start} to {results_filter.end}"),
                            ("Currency of costs", currency),
                            ("How it is computed", HOW_IT_IS_COMPUTED)], columns=["Figure", "Value"])
    figures = {VISITS: COUNT, APPLICATIONS: COUNT, HIRES: COUNT, "Posts": COUNT,
               APPLICATION_RATE: PERCENT_1, HIRE_RATE: PERCENT_1, COST: money(currency),
               COST_PER_APPLICATION: money(currency, 2), COST_PER_HIRE: money(currency), "Published": DAY}
    return xlsx_bytes({"Summary": summary, "By channel": channels, "By post": posts},
                      {"By channel": figures, "By post": figures})
