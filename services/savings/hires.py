"""Hires: listed and corrected by recruiters, and imported from CSV for hires made
outside the portal (the portal records its own when an application or referral is hired).

The CSV columns (the header row names them, in any order):

    hire_date          required, YYYY-MM-DD, not in the future
    job_title          required
    department         required
    source             required: referral, social, job_board, career_site, agency, direct, internal
    first_year_salary  required, ≥ 0
    currency           three letters such as USD or EUR; empty means the reporting currency
    referral_bonus, ad_spend, job_board_fee, agency_fee, other_cost
                       ≥ 0; empty means 0
    channel            optional: the network, board or agency (LinkedIn, Indeed, …)

Amounts are plain numbers (85000 or 85000.50; 85,000 is read as eighty-five thousand).
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit
from portal.csv_files import ImportResult, RowProblem, amount_cell, check_no_control_characters, read_table
from portal.db import contains_pattern, transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor, Page
from portal.validation import FormProblems, currency_code, money_amount, text
from services.savings.report import COST_COLUMNS, SOURCES, load_assumptions

REQUIRED_COLUMNS = ("hire_date", "job_title", "department", "source", "first_year_salary")
OPTIONAL_COLUMNS = ("currency", *COST_COLUMNS, "channel")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- import ----------------------------------------------------------------------------------

def import_hires(actor: Actor, data: bytes, file_name: str, today: date | None = None) -> ImportResult:
    with transaction(actor) as conn:
        return import_hires_with(conn, data, file_name, today)


def import_hires_with(conn: Connection, data: bytes, file_name: str,
                      today: date | None = None) -> ImportResult:
    """Add the file's good rows, skip rows imported before, report the bad ones.

    A file that cannot be read as a whole (not text, no header, a required column
    missing) raises ValidationError and nothing is added."""
    rows, problems, ignored = parse_hires_csv(data, load_assumptions(conn).currency,
                                              today or date.today())
    added = 0
    if rows:
        with translate_refusals(denied="Only recruiters and admins can import hires."):
            added = len(conn.execute(sa.text(
                """
                insert into public.hires (hire_date, job_title, department, source, channel,
                  first_year_salary, currency, referral_bonus, ad_spend, job_board_fee,
                  agency_fee, other_cost, import_key)
                select hire_date, job_title, department, source, channel, first_year_salary,
                  currency, referral_bonus, ad_spend, job_board_fee, agency_fee, other_cost,
                  import_key
                from jsonb_to_recordset(cast(:rows as jsonb)) as r(
                  hire_date date, job_title text, department text, source public.hire_source,
                  channel text, first_year_salary numeric, currency text, referral_bonus numeric,
                  ad_spend numeric, job_board_fee numeric, agency_fee numeric, other_cost numeric,
                  import_key text)
                on conflict (import_key) do nothing
                returning 1
                """), {"rows": json.dumps(rows, default=str)}).all())
        audit.record(conn, "hires.imported", "hires", None,
                     {"file": file_name, "added": str(added),
                      "already_imported": str(len(rows) - added), "rejected": str(len(problems))})
    return ImportResult(added, len(rows) - added, problems, ignored)


def parse_hires_csv(data: bytes, default_currency: str,
                    today: date) -> tuple[list[dict], list[RowProblem], list[str]]:
    """The good rows (ready to insert, each with its import key), the bad rows' problems,
    and the header's columns that are not ours."""
    table = read_table(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    rows, problems, occurrences = [], [], {}
    for number, record in table.rows:
        try:
            row = _hire_row(record, default_currency, today)
        except ValidationError as error:
            problems.append(RowProblem(number, str(error)))
            continue
        # The same row twice in one file is two hires; the same file twice is not. The
        # currency cell counts as written, so that a later change of the reporting
        # currency does not make old rows look new.
        identity = json.dumps(row | {"currency": record.get("currency", "").upper()},
                              sort_keys=True, default=str)
        occurrences[identity] = occurrences.get(identity, 0) + 1
        row["import_key"] = hashlib.sha256(
            f"{identity}#{occurrences[identity]}".encode()).hexdigest()
        rows.append(row)
    return rows, problems, table.ignored_columns


def _hire_row(record: dict[str, str], default_currency: str, today: date) -> dict:
    check_no_control_characters(record)
    try:
        if not _ISO_DATE.match(record["hire_date"]):
            raise ValueError
        hire_date = date.fromisoformat(record["hire_date"])
    except ValueError:
        raise ValidationError(f"hire_date “{record['hire_date']}” is not a date in the form "
                              "YYYY-MM-DD") from None
    if hire_date > today:
        raise ValidationError(f"hire_date {hire_date} is in the future")
    if hire_date.year < 1900:
        raise ValidationError(f"hire_date {hire_date} is before 1900")
    source = record["source"].lower().replace(" ", "_").replace("-", "_")
    if source not in SOURCES:
        raise ValidationError(f"source “{record['source']}” is not one of: " + ", ".join(SOURCES))
    currency = currency_code(record.get("currency") or default_currency)
    return {
        "hire_date": hire_date,
        "job_title": _text(record, "job_title", 200),
        "department": _text(record, "department", 100),
        "source": source,
        "channel": record.get("channel", "")[:100] or None,
        "first_year_salary": amount_cell(record, "first_year_salary", required=True),
        "currency": currency,
        **{column: amount_cell(record, column) for column in COST_COLUMNS},
    }


def _text(record: dict[str, str], column: str, limit: int) -> str:
    value = " ".join(record[column].split())
    if not value:
        raise ValidationError(f"{column} is empty")
    if len(value) > limit:
        raise ValidationError(f"{column} is longer than {limit} characters")
    return value


# --- listing and correcting ------------------------------------------------------------------

@dataclass(frozen=True)
class Hire:
    id: UUID
    hire_date: date
    job_title: str
    department: str
    source: str
    channel: str | None
    first_year_salary: Decimal
    currency: str
    referral_bonus: Decimal
    ad_spend: Decimal
    job_board_fee: Decimal
    agency_fee: Decimal
    other_cost: Decimal
    origin: str  # "portal", "import" or "entered"

    @property
    def actual_cost(self) -> Decimal:
        return sum((getattr(self, c) for c in COST_COLUMNS), Decimal(0))


_HIRE_COLUMNS = (
    "id, hire_date, job_title, department, source::text as source, channel, first_year_salary,"
    " trim(currency) as currency, referral_bonus, ad_spend, job_board_fee, agency_fee, other_cost,"
    " case when import_key is not null then 'import'"
    "      when application_id is not null or referral_id is not null then 'portal'"
    "      else 'entered' end as origin")


def list_hires(actor: Actor, *, search: str = "", source: str | None = None, page: int = 1,
               page_size: int = 25) -> Page[Hire]:
    """Hires newest first, one page at a time."""
    search = search.strip()
    where = ("(cast(:source as text) is null or source = cast(:source as public.hire_source))"
             " and (:search = '' or job_title ilike :pattern or department ilike :pattern"
             "      or channel ilike :pattern)")
    params = {"source": source, "search": search, "pattern": contains_pattern(search),
              "limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text(f"select count(*) from public.hires where {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            f"select {_HIRE_COLUMNS} from public.hires where {where}"  # noqa: S608
            " order by hire_date desc, created_at desc, id limit :limit offset :offset"),
            params).all()
    return Page([Hire(**row._mapping) for row in rows], total, page, page_size)


def update_hire(actor: Actor, hire_id: UUID, *, source: str, channel: str,
                first_year_salary: float, currency: str, costs: dict[str, float]) -> None:
    """Correct what a hire cost and earned (the portal fills in only what it knows)."""
    problems = FormProblems()  # every field's problem at once, named as the arguments
    if source not in SOURCES:
        problems.add("source", "Choose a source from the list.")
    problems.check("channel", text, "Channel", channel, maximum=100, single_line=True)
    currency = problems.check("currency", currency_code, currency)
    amounts = {"first_year_salary": first_year_salary, **{c: costs.get(c, 0) for c in COST_COLUMNS}}
    for column, value in amounts.items():
        problems.check(column, money_amount, column.replace("_", " ").capitalize(), value)
    problems.raise_any()
    with transaction(actor) as conn:
        updated = conn.execute(sa.text(
            "update public.hires set source = cast(:source as public.hire_source),"
            " channel = nullif(:channel, ''), first_year_salary = :first_year_salary,"
            " currency = :currency, referral_bonus = :referral_bonus, ad_spend = :ad_spend,"
            " job_board_fee = :job_board_fee, agency_fee = :agency_fee, other_cost = :other_cost"
            " where id = :id"),
            {"id": hire_id, "source": source, "channel": " ".join(channel.split())[:100],
             "currency": currency, **amounts}).rowcount
        if not updated:
            raise NotFound("That hire no longer exists, or you may not change it.")
        audit.record(conn, "hire.updated", "hire", str(hire_id), {"source": source})


def delete_hire(actor: Actor, hire_id: UUID) -> None:
    with transaction(actor) as conn:
        deleted = conn.execute(sa.text("delete from public.hires where id = :id"),
                               {"id": hire_id}).rowcount
        if not deleted:
            raise NotFound("That hire no longer exists, or you may not delete it.")
        audit.record(conn, "hire.deleted", "hire", str(hire_id))
