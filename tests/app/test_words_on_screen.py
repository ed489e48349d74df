"""No code reaches the screen (issue 18): on every page of each role's menu, over the demo
data, no `None`, `nan` or internal key (`in_review`, `career_site`, `full_time` …) shows in
the page's text or in a table's headers and cells. Column names of an import file, quoted as
code, and icon names are meant to be there."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import sqlalchemy as sa

from portal.models import Role
from portal.navigation import menu_for
from services.referrals import stages as referral_stages
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


STAGE_CODES = {"submitted", "reviewing", "interviewing", "offer", "hired", "not_selected", "new", "rejected",
               "withdrawn"}


def stage_cells(at) -> list[str]:
    """What the page shows as a stage: each table's Stage column and the Stage metric."""
    cells = [str(v) for table in at.dataframe if isinstance(table.value, pd.DataFrame)
             and "Stage" in table.value.columns for v in table.value["Stage"].tolist()]
    return cells + [m.value for m in at.metric if m.label == "Stage"]


def test_the_referral_screens_name_every_stage_in_words(demo_db):
    """The referral screens, hidden ones too (a referral's page, a referred person's profile),
    at every stage of the demo's referrals: no code, and each stage a word."""
    with demo_db.connect() as conn:
        priyas = conn.execute(sa.text(
            "select distinct on (r.stage) r.id, r.stage::text from public.referrals r"
            " join public.profiles p on p.id = r.referrer_id where p.email = 'priya@example.com'"
            " order by r.stage, r.created_at")).all()
        referred = conn.execute(sa.text(
            "select distinct on (r.stage) r.candidate_id from public.referrals r"
            " order by r.stage, r.created_at")).scalars().all()
    assert {stage for _, stage in priyas} == set(referral_stages.STAGES)  # one of hers at each
    screens = [("admin@example.com", "pages/recruiting/referrals.py", {}),
               ("priya@example.com", "pages/referrer/my_referrals.py", {})]
    screens += [("priya@example.com", "pages/referrer/referral.py", {"id": str(r.id)}) for r in priyas]
    screens += [("admin@example.com", "pages/recruiting/candidate.py", {"id": str(c)}) for c in referred]
    found = {}
    for account, page, params in screens:
        at = app_as(signed_in(account)).run()
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(page).run(timeout=30)
        assert_no_exception(at)
        shown = MEANT.sub("", texts(at) + "\n" + "\n".join(table_words(at)))
        codes = {m.group(0) for m in CODE.finditer(shown)} | (set(stage_cells(at)) & STAGE_CODES)
        assert stage_cells(at) or page.endswith("my_referrals.py"), page  # a stage is shown
        if codes:
            found[(page, *params.values())] = sorted(codes)
    assert found == {}
