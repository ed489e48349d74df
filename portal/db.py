"""The database: one engine per process, and transactions that run as the acting user.

`DATABASE_URL` unset → the embedded server under the data folder; set → any Postgres
(Supabase's session pooler in production). Every user action goes through
`transaction(actor)`, which switches to `anon` or `authenticated` and sets the JWT
claims exactly as PostgREST does, so row-level security decides what the user may do.
Migrations, seeding, sign-in and the CLI use `owner_transaction()`. A use case puts the
database's refusals (row-level security, constraints, our triggers) in words for its user
with `translate_refusals(…)`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from portal import embedded
from portal.errors import NotFound, PermissionDenied, UserFacingError, ValidationError
from portal.models import Actor
from portal.settings import Settings, settings

_log = logging.getLogger(__name__)
_engine: Engine | None = None
_ready = False
_supabase = False
_lock = threading.Lock()
_opened = threading.local()  # transactions this thread has opened (portal.shared asks)
_one = threading.local()  # the block one_transaction holds open in this thread, with its actor


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message says what to check."""


def describe_server(url: str | sa.URL) -> str:
    """Where the database is (host, port, database), without user or password: fit for a
    page any visitor may see, and for logs."""
    parsed = make_url(url)
    host = parsed.host or "a local socket"
    return f"{host}:{parsed.port or 5432}/{parsed.database or ''}"


def database_url(config: Settings | None = None, *, keep_running: bool = False) -> str:
    config = config or settings()
    if config.embedded:
        try:
            return embedded.start(config.data_dir, keep_running=keep_running)
        except Exception as error:  # the wheel raises plain subprocess and OS errors
            raise DatabaseUnavailable(
                f"The embedded PostgreSQL under {config.data_dir} did not start ({error}). "
                "Check that the folder is writable and not used by another PostgreSQL version, "
                "or set PORTAL_DATA_DIR to another folder."
            ) from error
    return _checked_url(config.database_url or "")


def _checked_url(url: str) -> str:
    example = "postgresql://user:password@host:5432/database"
    try:
        parsed = make_url(embedded.sqlalchemy_url(url))
    except sa.exc.ArgumentError:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL. Expected {example} "
                                  "(percent-encode special characters in the password).") from None
    if parsed.host and "@" in parsed.host:
        raise DatabaseUnavailable("DATABASE_URL has an “@” in its password: percent-encode it "
                                  "(@ becomes %40).")
    if not parsed.drivername.startswith("postgresql"):
        raise DatabaseUnavailable(f"DATABASE_URL must point at PostgreSQL ({example}), "
                                  f"not “{parsed.drivername}”.")
    return parsed.render_as_string(hide_password=False)


def engine() -> Engine:
    """The process's engine, created on first use. A failure is not remembered: the next
    call tries again, so the app recovers without a restart once the database is back."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = create_engine(database_url())
        return _engine


def create_engine(url: str) -> Engine:
    return sa.create_engine(
        url,
        pool_pre_ping=True,  # notice connections the server dropped, and reconnect
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5, "application_name": "boomerang"},
    )


def ensure_ready() -> Engine:
    """Engine up and migrations applied, once per process."""
    global _ready, _supabase
    eng = engine()
    if not _ready:
        from portal import migrations

        with translate_errors(eng):
            migrations.upgrade(eng)
            with eng.connect() as conn:
                _supabase = migrations.is_supabase(conn)
        _ready = True
    return eng


def on_supabase() -> bool:
    """True when the database in use is a Supabase project's."""
    ensure_ready()
    return _supabase


@contextmanager
def translate_errors(eng: Engine) -> Iterator[None]:
    """Turn "cannot connect" into `DatabaseUnavailable` with a message a person can act on,
    and text the database cannot hold into a `ValidationError`."""
    try:
        yield
    except sa.exc.DataError as error:
        # Text with NUL that no check of a field caught (the checks in portal.validation
        # name the field): the driver refuses to send it.
        if "NUL (0x00)" not in str(error.orig):
            raise
        raise ValidationError("Something you typed contains a NUL character (\\x00), which the "
                              "portal cannot store or search for. Remove it and try again.") from None
    except sa.exc.OperationalError as error:
        if not _is_connection_error(error):
            raise
        if settings().embedded:
            # The embedded server may have gone away: the next call starts it again.
            forget_engine()
        # The driver's own words can name the user (and a badly quoted password): they
        # go to the server log; the page, which any visitor may see, gets the gist.
        _log.warning("database unreachable: %s", _first_line(error.orig))
        raise DatabaseUnavailable(
            f"Cannot reach the database at {describe_server(eng.url)}: {_cause(error.orig)}. "
            "Check DATABASE_URL and that the server is running."
        ) from error


def _is_connection_error(error: sa.exc.OperationalError) -> bool:
    # Failing to connect has no SQLSTATE; a lost connection is class 08; a server
    # shutting down is 57P01-57P03.
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


_CAUSES = (
    ("password authentication failed", "the user name or password was refused"),
    ("authentication", "the user name or password was refused"),
    ("does not exist", "the user or database does not exist"),
    ("could not translate host name", "the host name is unknown"),
    ("name or service not known", "the host name is unknown"),
    ("connection refused", "the server refused the connection"),
    ("timeout", "the server did not answer in time"),
    ("timed out", "the server did not answer in time"),
    ("no such file or directory", "no server is listening there"),
    ("terminating connection", "the server closed the connection"),
    ("server closed the connection", "the server closed the connection"),
)


def _cause(error: BaseException | None) -> str:
    text = str(error or "").lower()
    return next((cause for needle, cause in _CAUSES if needle in text), "the connection failed")


def _first_line(error: BaseException | None) -> str:
    text = str(error or "unknown error").strip()
    return text.splitlines()[0] if text else "unknown error"


@contextmanager
def owner_transaction() -> Iterator[Connection]:
    """A transaction as the database owner: migrations, seeding, sign-in, the CLI."""
    eng = ensure_ready()
    _count_opened()
    with translate_errors(eng), eng.begin() as conn:
        yield conn


def transactions_opened() -> int:
    """How many transactions this thread has opened (through the two functions here)."""
    return getattr(_opened, "count", 0)


def _count_opened() -> None:
    _opened.count = transactions_opened() + 1


@contextmanager
def transaction(actor: Actor) -> Iterator[Connection]:
    """A transaction as `actor`: row-level security applies to everything run in it.

    Commits when the block ends normally, rolls back when it raises. Inside a
    `one_transaction(actor)` block of the same actor it joins that block's transaction.
    """
    joined = getattr(_one, "block", None)
    if joined is not None and joined[0] == actor:
        yield joined[1]
        return
    eng = ensure_ready()
    _count_opened()
    with translate_errors(eng), eng.begin() as conn:
        act_as(conn, actor)
        yield conn


@contextmanager
def one_transaction(actor: Actor) -> Iterator[None]:
    """Every `transaction(actor)` opened inside the block, by any capability's function, is
    this one: a screen that shows what several capabilities read pays for one transaction
    and sees one snapshot. Meant for reads: a refusal inside aborts the whole block."""
    enclosing = getattr(_one, "block", None)
    with transaction(actor) as conn:
        _one.block = (actor, conn)
        try:
            yield
        finally:
            _one.block = enclosing


# A refusal's SQLSTATE → the keyword a use case declares its words under, and the error it becomes.
_REFUSALS: dict[str, tuple[str | None, type[UserFacingError]]] = {
    "42501": ("denied", PermissionDenied),  # insufficient_privilege: row-level security, a grant
    "23505": ("duplicate", ValidationError),  # unique_violation
    "23514": ("misfit", ValidationError),  # check_violation: a table's check constraint
    "23503": ("missing", NotFound),  # foreign_key_violation: the row referred to is gone
    "P0001": (None, ValidationError),  # raise_exception: our functions' plain RAISE
    "P0002": (None, NotFound),  # no_data_found: our functions' "that job is closed"
    "P0003": (None, ValidationError),  # too_many_rows: our functions' rate limits
}


@contextmanager
def translate_refusals(*, denied: str | None = None, duplicate: str | None = None,
                       misfit: str | None = None, missing: str | None = None,
                       denied_as: type[UserFacingError] = PermissionDenied) -> Iterator[None]:
    """The database's refusals inside the block become the portal's user-facing errors.

    A refusal our own SQL raised (a RAISE in our functions and triggers) is written for users
    and keeps its words. Postgres's own refusals (row-level security, a table's constraints)
    speak of tables and columns, so the use case gives its words for them here: `denied`,
    `duplicate`, `misfit`, `missing`. A refusal with no words for it is a bug and propagates
    unchanged. Put it outside `transaction(…)`, so refusals at commit are translated too.
    `denied_as` is the error an insufficient_privilege becomes (PermissionDenied unless the
    use case counts it as input to correct).
    """
    try:
        yield
    except sa.exc.DBAPIError as error:
        state = getattr(error.orig, "sqlstate", None)
        if state not in _REFUSALS:
            raise
        keyword, refusal = _REFUSALS[state]
        declared = {"denied": denied, "duplicate": duplicate, "misfit": misfit, "missing": missing}
        diag = error.orig.diag
        if diag.source_function == "exec_stmt_raise":  # PL/pgSQL's RAISE: our own words
            message = _sentence(diag.message_primary or "")
        else:
            message = declared.get(keyword) if keyword else None
        if not message:
            raise
        raise (denied_as if state == "42501" else refusal)(message) from None


def _sentence(message: str) -> str:
    """Our SQL's words as a sentence: the triggers' own are lower case and unpunctuated."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def act_as(conn: Connection, actor: Actor) -> None:
    """From here to the end of the transaction, `conn` is `actor` as PostgREST would make it."""
    # One round trip, as PostgREST does it: `set_config('role', …, true)` is `set local role`.
    # Every query is planned for its own values. After five runs psycopg prepares a
    # statement, and Postgres may then pick a generic plan, which cannot drop a filter left
    # empty (`cast(:job as uuid) is null or …`): the referral pipeline's first page took
    # 250 ms instead of a few, post results 650 ms instead of 30. Planning costs well
    # under a millisecond.
    conn.execute(_ACT_AS, {"role": actor.db_role, "claims": actor.jwt_claims()})


_ACT_AS = sa.text("select set_config('role', :role, true),"
                  " set_config('request.jwt.claims', :claims, true),"
                  " set_config('plan_cache_mode', 'force_custom_plan', true)")


def contains_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def forget_engine() -> None:
    """Drop the engine; the next use builds a new one (and starts the embedded server)."""
    global _engine, _ready
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _ready = False
