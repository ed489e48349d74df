"""Helpers the benchmark scripts share: a throwaway database; median and p95, beside a floor."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def use_throwaway_database(name: str) -> Path:
    """Point the portal at an embedded Postgres in a new folder, for this run only. The
    server stops when the script exits (portal.embedded), and the folder goes after it: at a
    million rows it holds a gigabyte or more, ten at ten million."""
    folder = Path(tempfile.mkdtemp(prefix=f"boomerang-bench-{name}-"))
    os.environ["PORTAL_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    # Registered before the server starts, so it runs after the server's own exit handler.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def timings(action, runs: list) -> list[float]:
    action(runs[0])  # warm the caches, as a page someone keeps open is
    times = []
    for item in runs:
        started = time.perf_counter()
        action(item)
        times.append(time.perf_counter() - started)
    return times


def describe(label: str, times: list[float], floor: float | None = None) -> None:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    ratio = f"   ({median / floor:.1f}x the floor)" if floor else ""
    print(f"  {label:<52} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms{ratio}")


def transaction_floor(actor, label: str) -> float:
    """Print and return the median of an empty transaction as `actor`: what any page pays
    to ask the database anything, the floor the figures are compared with."""
    import sqlalchemy as sa

    from portal.db import transaction

    def empty(_):
        with transaction(actor) as conn:
            conn.execute(sa.text("select 1")).one()

    times = timings(empty, list(range(200)))
    describe(label, times)
    return statistics.median(times)


def keep_compiled_scripts() -> None:
    """A server compiles each script once (its Runtime keeps one ScriptCache); AppTest
    builds a new ScriptCache for every run, so each rerun would compile app_script.py and
    the page again (with Streamlit's magic rewrite of their syntax trees): 25-40 ms a
    rerun that no visitor pays. Keep one, as the server does."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def pages_folder_read_once() -> None:
    """A server looks for an old-style `pages/` folder beside the entry script once, when
    its first session starts: app_script.py's st.navigation then turns that mode off for the
    process. AppTest turns it back on for every run (it resets
    `PagesManager.uses_pages_directory`), so each rerun of this app (whose pages sit in
    subfolders of `pages/`) would first list that folder and build a navigation of its own
    (Streamlit's `_mpa_v1`) that no rerun on a server does. Leave the reset to a subclass,
    so the flag stays as the app's first run left it, as on the server."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class ServerPagesManager(PagesManager):
        pass

    app_test.PagesManager = ServerPagesManager
