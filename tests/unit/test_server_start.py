"""The server starts without the services (cold start, issue 15): `streamlit run` imports
`streamlit_app.py`, whose routes load their handlers on first use (web/routes.py). A module
that pulled a service, the database driver or a renderer back into the start would add about
half a second to every start; this names it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED_ON_FIRST_USE = ("services", "sqlalchemy", "psycopg", "procrastinate", "jinja2", "httpx", "PIL",
                       "pandas", "bcrypt", "markdown_it")


def test_the_web_application_imports_no_service_at_start():
    code = ("import sys, streamlit_app\n"
            f"print(' '.join(m for m in {LOADED_ON_FIRST_USE!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


def test_every_route_finds_its_handler():
    from web import routes

    for path, target, _methods in routes.HANDLERS:
        module_name, name = target.split(":")
        assert callable(getattr(importlib.import_module(module_name), name)), path
