"""Helpers for the AppTest tests: open a page as someone, read what it shows.
Importing this starts nothing."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from portal.models import Actor
from tests.support import signed_in

APP = str(Path(__file__).resolve().parents[2] / "app_script.py")
TIMEOUT = 30
BACKEND = "Senior Backend Engineer (Python)"  # a published demo job with applicants and referrals
POSTING = "pages/recruiting/posting.py"
ROSTER = "pages/admin/alumni_roster.py"
ROSTER_CSV = (b"name,email,department,last_day\nAda Lovelace,ada@example.com,Engineering,2024-06-30\n"
              b"Bobby <b>Tables</b>,bobby@example.com,Sales,\n")


def app_as(actor: Actor | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if actor is not None:
        at.session_state["actor"] = actor
    return at


def open_page(page: str, actor: Actor | None = None, *, expected_errors: tuple[str, ...] = (),
              **params) -> AppTest:
    """The page as `actor` (a visitor if None), with `params` in its URL, showing no error but
    the `expected_errors`."""
    at = app_as(actor).run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert_errors(at, *expected_errors)
    return at


def open_as(email: str, page: str, **params) -> AppTest:
    """The page as the demo account `email`."""
    return open_page(page, signed_in(email), **params)


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.title] + \
        [e.value for e in at.subheader] + [e.value for e in at.caption] + \
        [e.value for e in at.info] + [e.value for e in at.error] + [e.value for e in at.success] + \
        [e.value for e in at.warning]
    return as_read("\n".join(str(p) for p in parts))


def board_cards(at: AppTest) -> list[tuple[str, str]]:
    """The job board's cards, each its title and its line of facts as read (a card is one
    Markdown text: a heading, the facts in `:gray[:small[…]]`, the excerpt)."""
    cards = []
    for element in at.markdown:
        title, _, rest = element.value.partition("\n\n")
        if title.startswith("### "):
            facts = rest.split("\n\n")[0].removeprefix(":gray[:small[").removesuffix("]]")
            cards.append((as_read(title[4:]), as_read(facts)))
    return cards


def as_read(shown: str) -> str:
    """Text shown "as text" reaches the page Markdown-escaped (and with word joiners): the
    same text as a user reads it."""
    return re.sub(r"\\(.)", r"\1", shown.replace("\u2060", ""))


def shown(at: AppTest) -> str:
    """The page's text, expander labels included."""
    return texts(at) + "\n" + "\n".join(e.label for e in at.expander).replace("\\", "").replace("\u2060", "")


def assert_no_exception(at: AppTest) -> None:
    """The page ran as a user expects: no exception and no error box. A test that expects an
    error names it with assert_errors instead. (The portal's own "Something went wrong" box
    fails every test anyway: see the `no_unexpected_error` fixture in conftest.py.)"""
    assert_errors(at)


def demo_job_id(engine: sa.Engine, title: str = BACKEND):
    with engine.connect() as conn:
        return conn.execute(sa.text("select id from public.jobs where title = :t"), {"t": title}).scalar_one()


def text_field(at: AppTest, label: str):
    return [t for t in at.text_input if t.label == label][0]


def choice_field(at: AppTest, label: str):
    return [s for s in at.selectbox if s.label == label][0]


def assert_errors(at: AppTest, *expected: str) -> None:
    """The page shows exactly the error boxes the test expects (each names one of `expected`,
    and each of `expected` is shown), and no exception."""
    assert not at.exception, [e.value for e in at.exception]
    shown = [as_read(str(e.value)) for e in at.error]
    unexpected = [box for box in shown if not any(part in box for part in expected)]
    missing = [part for part in expected if not any(part in box for box in shown)]
    assert not unexpected and not missing, {"unexpected": unexpected, "missing": missing}


def in_order(node):
    """The elements under `node` (AppTest's tree, e.g. `at._tree`) from the top of the page down."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for index in sorted(children):
        yield from in_order(children[index])


def problem_under(at: AppTest, label: str) -> str | None:
    """The problem shown right under the field labelled `label` (ui.FieldProblems), as read;
    None when the next thing under the field is not a problem."""
    elements = list(in_order(at._tree))
    for at_index, element in enumerate(elements):
        if getattr(element, "label", None) == label and getattr(element, "type", "") != "expandable":
            following = elements[at_index + 1] if at_index + 1 < len(elements) else None
            if following is not None and getattr(following, "type", "") == "caption":
                text = as_read(following.value)
                if text.startswith(":red[:material/error: "):
                    return text.removeprefix(":red[:material/error: ").removesuffix("]")
            return None
    raise AssertionError(f"no field labelled {label!r}")


def card(at: AppTest, heading: str) -> list:
    """The elements of the card (a bordered container) whose first line starts with `heading`
    as read, down to its link (an `st.page_link`, whose proto has the page and query string)."""
    elements = list(in_order(at._tree))
    for start, element in enumerate(elements):
        if getattr(element, "type", "") == "markdown" and as_read(str(element.value)).startswith(heading):
            found = []
            for following in elements[start:]:
                found.append(following)
                if getattr(following, "type", "") == "page_link":
                    return found
    raise AssertionError(f"no card starts with {heading!r}")


def card_texts(at: AppTest, heading: str) -> list[str]:
    return [as_read(str(e.value)) for e in card(at, heading) if isinstance(getattr(e, "value", None), str)]
