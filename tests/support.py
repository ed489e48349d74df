"""Helpers the tests share. Importing this module starts nothing (conftest.py does)."""

from __future__ import annotations

import email
import functools
import io
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.message import Message
from urllib.parse import parse_qs, urlparse

import sqlalchemy as sa

# Everything a test may have written; TRUNCATE … CASCADE reaches the rest.
TABLES = ("auth.users", "public.invitations", "public.alumni_roster", "public.company", "public.jobs",
          "public.candidates", "public.questions", "public.hires", "public.audit_log",
          "public.savings_settings", "public.exchange_rates", "public.programme_costs",
          "public.hire_totals", "public.company_facts", "public.job_visits",
          "public.portal_settings", "public.social_guidelines", "public.question_words",
          "public.social_channels", "public.social_topics", "public.social_post_deliveries",
          "public.social_post_costs", "public.referral_bonus_rules",
          "public.referral_level_bonus_rules",
          "public.referrer_preferences", "public.boomerang_interest", "public.job_digests",
          "public.outreach_emails", "public.hiring_stages",
          "public.referral_settings", "public.referral_codes", "public.referral_ownerships",
          "private.question_rate", "private.resume_uploads",
          "private.sign_in_failures", "private.pending_sign_in_links",
          # the background worker's queue: no job of one test runs in another
          "procrastinate.procrastinate_jobs", "procrastinate.procrastinate_workers",
          "procrastinate.procrastinate_periodic_defers")


def truncate_all(engine: sa.Engine) -> None:
    """Every table a test may have written emptied, as `TRUNCATE TABLES RESTART IDENTITY
    CASCADE` would, and the singletons back to their defaults. The rows are deleted instead,
    with triggers and foreign-key checks off (a TRUNCATE of 60 tables makes 60 new files:
    130 ms a test; the deletes 20 ms), then what TRUNCATE's own triggers do is done here."""
    tables, sequences = _emptied_by_truncate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("set local session_replication_role = replica")
        conn.exec_driver_sql("; ".join(f"delete from {table}" for table in tables))  # noqa: S608
        conn.exec_driver_sql("set local session_replication_role = origin")
        for sequence in sequences:
            conn.exec_driver_sql(f"alter sequence {sequence} restart")
        # What the TRUNCATE triggers do (_TRUNCATE_TRIGGERS): kept summaries cleared, and the
        # numbers the app's shared results compare moved.
        conn.exec_driver_sql("update public.referral_stage_counts set referrals = 0")
        conn.exec_driver_sql("select private.forget_referral_totals()")
        conn.exec_driver_sql(_MOVE_SHARED_NUMBERS)
        # Singletons the migrations create and admins only update: back to their defaults.
        conn.exec_driver_sql("insert into public.portal_settings (id) values (1)")
        conn.exec_driver_sql("insert into public.social_guidelines (id) values (1)")
        conn.exec_driver_sql("insert into public.referral_settings (id) values (1)")
        conn.exec_driver_sql("select private.seed_hiring_stages()")  # the default stages


# The functions TRUNCATE runs on the tables above, whose work truncate_all does itself.
_TRUNCATE_TRIGGERS = {"private.hire_totals_clear", "private.reset_stage_counts",
                      "private.referral_totals_clear", "private.data_changed"}


@functools.cache
def _emptied_by_truncate(engine: sa.Engine) -> tuple[list[str], list[str]]:
    """TABLES and every table that refers to them (what CASCADE reaches), and their own
    sequences; read once per process. A TRUNCATE trigger truncate_all does not know of fails
    here, rather than leaving a kept summary stale."""
    with engine.connect() as conn:
        oids = conn.execute(sa.text(
            "with recursive t(oid) as (select unnest(cast(:names as regclass[]))::oid"
            " union select c.conrelid from pg_constraint c join t on c.confrelid = t.oid"
            " where c.contype = 'f') select distinct oid from t"),
            {"names": list(TABLES)}).scalars().all()
        tables = conn.execute(sa.text(
            "select cast(cast(o as regclass) as text) from unnest(cast(:o as oid[])) o"),
            {"o": oids}).scalars().all()
        sequences = conn.execute(sa.text(
            "select distinct cast(cast(d.objid as regclass) as text) from pg_depend d"
            " join pg_class s on s.oid = d.objid and s.relkind = 'S'"
            " where d.refobjid = any(cast(:o as oid[])) and d.deptype in ('a', 'i')"),
            {"o": oids}).scalars().all()
        triggers = set(conn.execute(sa.text(
            "select distinct cast(tgfoid as regproc)::text from pg_trigger"
            " where tgrelid = any(cast(:o as oid[])) and tgtype & 32 <> 0"),
            {"o": oids}).scalars())
    unknown = triggers - _TRUNCATE_TRIGGERS
    assert not unknown, f"truncate_all (tests/support.py) must also do what {unknown} do"
    return tables, sequences


# The demo as the suite loads it about 400 times: loaded for real once per test process and
# day, then copied back from a snapshot kept in memory (0.06 s instead of 0.6 s).
_SCHEMAS = ("public", "private", "auth", "procrastinate")
_demo_snapshot: dict[str, object] = {}
# The numbers portal/shared.py compares: moved, never copied back.
_VERSIONS = ("private.public_data_version", "private.staff_data_version")
_MOVE_SHARED_NUMBERS = "; ".join(f"update {v} set version = version + 1" for v in _VERSIONS)  # noqa: S608


def load_demo_into_empty_database(engine: sa.Engine) -> None:
    """The demo data, into a database `truncate_all` has just emptied: the same rows, ids and
    times as `demo.load_demo()` gave the first time today in this process."""
    from datetime import date

    from services import demo

    today = date.today().isoformat()
    if _demo_snapshot.get("day") != today:
        before = _contents(engine), _sequences(engine)
        demo.load_demo()
        _take_snapshot(engine, *before)
        _demo_snapshot["day"] = today
        return
    with engine.begin() as conn:
        # No trigger runs while the rows go back (they ran when the demo was loaded), nor
        # any foreign-key check: the rows are the ones the demo loaded, in any order.
        conn.exec_driver_sql("set local session_replication_role = replica")
        cursor = conn.connection.driver_connection.cursor()
        for table, columns, had_rows, rows in _demo_snapshot["tables"]:  # type: ignore[misc]
            if had_rows:  # rows truncate_all put back, or a table it leaves: the demo's replace them
                cursor.execute(f"delete from {table}")  # noqa: S608
            with cursor.copy(f"copy {table} ({columns}) from stdin (format binary)") as copy:
                copy.write(rows)
        for sequence, value, called in _demo_snapshot["sequences"]:  # type: ignore[misc]
            cursor.execute("select setval(cast(%s as regclass), %s, %s)", (sequence, value, called))
        # What the triggers would have done: the app's shared results are computed again.
        cursor.execute(_MOVE_SHARED_NUMBERS)


def _contents(engine: sa.Engine) -> dict[str, str]:
    """Every table's rows, as one fingerprint a table."""
    with engine.connect() as conn:
        tables = conn.execute(sa.text(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name)"
            " from information_schema.tables where table_type = 'BASE TABLE'"
            " and table_schema = any(:schemas)"), {"schemas": list(_SCHEMAS)}).scalars().all()
        fingerprint = "select count(*) || ':' || coalesce(md5(string_agg(x::text, ',' order by x::text)), '')"
        return {t: conn.exec_driver_sql(f"{fingerprint} from {t} x").scalar_one()  # noqa: S608
                for t in tables}


def _sequences(engine: sa.Engine) -> list[tuple[str, int, bool]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "select quote_ident(schemaname) || '.' || quote_ident(sequencename),"
            " coalesce(last_value, start_value), last_value is not null"
            " from pg_sequences where schemaname = any(:schemas)"), {"schemas": list(_SCHEMAS)})]


def _take_snapshot(engine: sa.Engine, before: dict[str, str],
                   sequences_before: list[tuple[str, int, bool]]) -> None:
    """Copy the rows of every table the demo changed, with the columns one may write, and the
    positions of the sequences it moved."""
    after = _contents(engine)
    changed = [t for t in after if after[t] != before[t] and t not in _VERSIONS]
    kept = []
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for table in changed:
            columns = ", ".join(conn.execute(sa.text(
                "select quote_ident(attname) from pg_attribute where attrelid = cast(:t as regclass)"
                " and attnum > 0 and not attisdropped and attgenerated = '' order by attnum"),
                {"t": table}).scalars())
            with cursor.copy(f"copy {table} ({columns}) to stdout (format binary)") as copy:
                rows = b"".join(bytes(chunk) for chunk in copy)
            kept.append((table, columns, not before[table].startswith("0:"), rows))
    _demo_snapshot["tables"] = kept
    _demo_snapshot["sequences"] = [s for s in _sequences(engine) if s not in sequences_before]


def make_pdf(text: str = "Ada Lovelace, analyst") -> bytes:
    """A real one-page PDF, as a résumé."""
    from fpdf import FPDF

    pdf = FPDF()
    # A fixed creation date: two calls give the same bytes, whatever the clock says.
    pdf.set_creation_date(datetime(2020, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def make_docx(text: str = "Ada Lovelace, analyst") -> bytes:
    """A real Word document, as a résumé."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def signed_in(email: str):
    """The demo account `email`, signed in with the demo password."""
    from services import demo
    from services.people import sign_in

    return sign_in.with_password(email, demo.DEMO_PASSWORD)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_a_thread(function, *args, **kwargs):
    """`function` run in a thread of its own: asyncio.run refuses the main thread once the
    browser tests' Playwright has left an event loop running there."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def portal_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`portal ARGS…` as a user runs it, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "portal_cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)


class SmtpReceiver:
    """A real SMTP server's handler (aiosmtpd) that keeps what it accepts. Its answer to each
    message can be scripted: a reply like "451 …" or "550 …" in `script` refuses the next
    message, None accepts it; with the script empty, every message is accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.encrypted: list[bool] = []
        self.script: list[str | None] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
        reply = self.script.pop(0) if self.script else None
        if reply:
            return reply
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        self.encrypted.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [body(m) for _, m in self.messages]


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def invite_token(link: str) -> str:
    """The token of an alumni invitation link (`/register?invite=…`)."""
    return parse_qs(urlparse(link).query)["invite"][0]
