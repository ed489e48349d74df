"""The pages' side of the import contract: import-linter (pyproject.toml) checks the packages,
and pages are scripts Streamlit runs, so their imports are read here."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").rglob("*.py"))
CAPABILITIES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())
# What a page may stand on besides the capabilities: widgets and plain values, never the database.
PORTAL_FOR_PAGES = {"portal", "portal.ui", "portal.models", "portal.errors", "portal.settings",
                    "portal.months", "portal.validation", "portal.navigation",
                    "portal.spreadsheets", "portal.networks", "portal.words", "portal.addresses"}
DISPLAY_LIBRARIES = {"streamlit", "altair", "pandas"}
# Modules of services/ that join capabilities and that a page may call.
JOINING = {"overview", "posting_screen", "demo"}


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "services":
            names += [f"services.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_page_uses_capabilities_widgets_and_plain_values_only(page):
    for module in imported_modules(page):
        top = module.split(".")[0]
        if top == "services":
            parts = module.split(".")
            assert len(parts) >= 2 and parts[1] in {*CAPABILITIES, *JOINING}, \
                f"{module}: a page calls a capability (services.<{'|'.join(CAPABILITIES)}>)"
            assert not any(part.startswith("_") for part in parts), f"{module} is private to its capability"
        elif top == "portal":
            assert module in PORTAL_FOR_PAGES, f"{module}: pages read and write data through a capability"
        else:
            assert top in DISPLAY_LIBRARIES or top in sys.stdlib_module_names, \
                f"{module}: pages hold no SQL and no business rule"


def test_every_capability_says_what_it_is():
    for name in CAPABILITIES:
        init = ROOT / "services" / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init.relative_to(ROOT)} needs a docstring"
