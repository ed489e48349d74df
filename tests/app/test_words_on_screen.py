"""No code reaches the screen (issue 18): on every page of each role's menu, over the demo
data, no `None`, `nan` or internal key (`in_review`, `career_site`, `full_time` …) shows in
the page's text or in a table's headers and cells. Column names of an import file, quoted as
code, and icon names are meant to be there."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from portal.models import Role
from portal.navigation import menu_for
from tests.app.helpers import app_as, assert_no_exception, signed_in, texts

DEMO_ACCOUNT = {Role.ADMIN: "admin@example.com", Role.ALUMNUS: "priya@example.com",
                Role.CANDIDATE: "candidate@example.com", None: None}
CODE = re.compile(r"\b(None|nan|NaT|[a-z]+_[a-z_]+)\b")
MEANT = re.compile(r"`[^`]*`|:material/[a-z_]+:")  # quoted file columns; icons


def table_words(at) -> list[str]:
    words = []
    for table in at.dataframe:
        frame = table.value
        if isinstance(frame, pd.DataFrame):
            words += [str(column) for column in frame.columns]
            words += [value for column in frame.columns for value in frame[column].tolist()
                      if isinstance(value, str)]
    return words


@pytest.mark.parametrize("role", list(DEMO_ACCOUNT), ids=lambda r: r.value if r else "visitor")
def test_no_page_shows_a_code_or_none(demo_db, role):
    account = DEMO_ACCOUNT[role]
    found = {}
    for spec in (s for specs in menu_for(role, first_run=False).values() for s in specs if not s.hidden):
        at = app_as(signed_in(account) if account else None).run()
        at.switch_page(f"pages/{spec.file}.py").run(timeout=30)
        assert_no_exception(at)
        shown = MEANT.sub("", texts(at) + "\n" + "\n".join(table_words(at)))
        if codes := sorted({m.group(0) for m in CODE.finditer(shown)}):
            found[spec.file] = codes
    assert found == {}
