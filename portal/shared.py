"""What every visitor may see, computed once and shared by every session of this process
until the data it comes from changes.

The public board, a published job, the answered questions, the company's profile and
facts are the same for everyone who opens them. `visitors_view(key, compute)` runs
`compute(conn)` in a transaction as a visitor (role `anon`: row-level security and column
privileges as for anyone not signed in, so nothing private can reach the result, whoever
asked), keeps the result under `key`, and hands it out again while the database's public
data version (`private.public_data_version`, moved at commit by any change to jobs,
published questions, the company, its facts or the portal's settings) is the one it was
computed at. Asking costs one small query; a change made anywhere (another process, the
worker, the CLI, plain SQL) shows at the next call. `staff_view` does the same for what
every member of staff sees alike, kept also until the staff data's version
(`private.staff_data_version`: referrals, hires, questions in any status) moves; the one
query reads both numbers.

Results are shared between sessions and threads: callers must not change them (they are
frozen dataclasses, and lists nobody appends to).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import ensure_ready, transaction, transactions_opened, translate_errors
from portal.models import Actor

T = TypeVar("T")
MAX_ENTRIES = 512  # least recently used go first: searches make many keys
_VERSION = sa.text("select p.version, s.version from private.public_data_version p"
                   " cross join private.staff_data_version s")
# The engine's id, the public data's version, the staff data's version.
Version = tuple[int, int, int]
_entries: OrderedDict[Hashable, tuple[tuple[int, ...], object]] = OrderedDict()
_lock = threading.Lock()
_run = threading.local()  # inside one_version_per_run: (transactions opened, version) read last


@contextmanager
def one_version_per_run() -> Iterator[None]:
    """Within the block (one rerun of the page script, in its thread), the version is read
    once and reused by every shared result the page asks for, until this thread opens a
    transaction of its own (which may have changed public data: then it is read again)."""
    _run.known = None
    _run.active = True
    try:
        yield
    finally:
        _run.active = False
        _run.known = None


def _version() -> Version:
    if not getattr(_run, "active", False):
        return data_version()
    known = _run.known
    if known is not None and known[0] == transactions_opened():
        return known[1]
    version = data_version()
    _run.known = (transactions_opened(), version)
    return version


def data_version() -> Version:
    """The public and the staff data's versions now (one statement, outside any
    transaction), with the engine they were read through: another database starts its
    versions again."""
    eng = ensure_ready()
    with translate_errors(eng), eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        public, staff = conn.execute(_VERSION).one()
        return id(eng), public, staff


def visitors_view(key: Hashable, compute: Callable[[Connection], T]) -> T:
    """`compute(conn)` as a visitor sees it, from memory when nothing public has changed
    since it was computed under `key` (which names the function and every argument)."""
    return _view(Actor.visitor(), key, compute, lambda version: version[:2])


def staff_view(actor: Actor, key: Hashable, compute: Callable[[Connection], T]) -> T:
    """`compute(conn)` as `actor`, a recruiter or admin, sees it, shared by every member of
    staff (so only for data every one of them sees alike, such as the hiring stages'
    names or the overview's counts), kept until public or staff data changes: `compute`
    reads only tables that move one of the two versions."""
    if actor.role is None or not actor.role.is_staff:
        raise ValueError("staff_view is for recruiters and admins")
    return _view(actor, ("staff", key), compute, lambda version: version)


def _view(actor: Actor, key: Hashable, compute: Callable[[Connection], T],
          relevant: Callable[[Version], tuple[int, ...]]) -> T:
    # Read before computing: a change committed in between makes the result newer than
    # its version, never older, so the next call computes it again rather than keeping
    # something stale.
    read = _version()
    version = relevant(read)
    with _lock:
        kept = _entries.get(key)
        if kept is not None and kept[0] == version:
            _entries.move_to_end(key)
            return kept[1]  # type: ignore[return-value]
    with transaction(actor) as conn:
        value = compute(conn)
    if getattr(_run, "known", None) is not None:  # this read-only transaction changed nothing
        _run.known = (transactions_opened(), read)
    with _lock:
        _entries[key] = (version, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def forget() -> None:
    """Drop every kept result (a test's fresh database)."""
    with _lock:
        _entries.clear()


def kept() -> list[tuple[Hashable, object]]:
    """The keys and results held now (for tests that check what is shared)."""
    with _lock:
        return [(key, value) for key, (_, value) in _entries.items()]
