"""Widgets and habits shared by the pages: who is signed in, paging, messages.

Everything a user, a candidate or a model wrote goes through `plain()` or a
dataframe, never through HTML.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

import streamlit as st

from portal.db import DatabaseUnavailable
from portal.errors import UserFacingError
from portal.html import staff_markdown  # noqa: F401 - pages call it as ui.staff_markdown
from portal.models import Actor, Page, Role
from portal.navigation import link_target
from portal.public_address import origin
from portal.words import counted

_ACTOR_KEY = "actor"
_SESSION_TOKEN_KEY = "session-token"
_GO_TO_KEY = "go-to"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$>])")
_AUTOLINK_TRIGGERS = re.compile(r"(?i)www|:|@")
_WORD_JOINER = "\u2060"
_log = logging.getLogger("boomerang.pages")
T = TypeVar("T")


def current_actor() -> Actor:
    return st.session_state.get(_ACTOR_KEY) or Actor.visitor()


def remember(actor: Actor, session_token: str | None = None) -> None:
    """Sign `actor` in for this browser session; `session_token` when the sign-in comes from
    the session cookie (then every rerun checks the session still stands)."""
    st.session_state[_ACTOR_KEY] = actor
    if session_token:
        st.session_state[_SESSION_TOKEN_KEY] = session_token


def session_token() -> str | None:
    """The token of the cookie session this browser session was signed in by, if any."""
    return st.session_state.get(_SESSION_TOKEN_KEY)


def go_to(url: str) -> None:
    """Take the browser to `url` (a route of the web layer, same origin) at the end of this
    run: the page's own widgets cannot set cookies, a route's response can."""
    st.session_state[_GO_TO_KEY] = url


def pending_go_to() -> str | None:
    """The address `go_to` asked for, once: the entry script then shows `leave_for` alone."""
    return st.session_state.pop(_GO_TO_KEY, None)


def leave_for(url: str) -> None:
    st.caption("One moment…")
    st.html(f"<script>window.location.replace({json.dumps(url)});</script>",
            unsafe_allow_javascript=True)


# Why the identity provider's account did not sign anyone in (app_script.py), for the sign-in page.
SINGLE_SIGN_ON_REFUSED = "single-sign-on-refused"


def single_sign_on_configured() -> bool:
    """True when secrets.toml has an [auth] section: the company's OpenID Connect provider,
    for st.login (docs/admins.md)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def sign_out() -> None:
    """Forget everything this browser session held."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def browser_session_id() -> uuid.UUID:
    """This browser session's random id: visits are counted and questions rate-limited by it."""
    return st.session_state.setdefault("visit-session", uuid.uuid4())


def client_address() -> str | None:
    """The address this request came from, as the server sees it: behind a proxy the server
    reads it from X-Forwarded-For only when the proxy is trusted (uvicorn's
    FORWARDED_ALLOW_IPS; docs/operations.md). None on the server's own machine. Sign-in
    back-off and the question limits count per client by it."""
    return st.context.ip_address


def require_role(*roles: Role) -> Actor:
    """The pages a role may not see are not in its navigation; this is the second lock."""
    actor = current_actor()
    if actor.role not in roles:
        st.error("This page is not available to you.")
        st.stop()
    return actor


def page_link(file: str, *, label: str, icon: str = "", **options) -> None:
    """`st.page_link` to a page file (`pages/public/job.py`), given as its st.Page: a path
    would be looked up on disk at every link of every rerun."""
    st.page_link(link_target(file), label=label, icon=icon, **options)


def plain(text: str | None) -> str:
    """`text` made safe to show through Markdown, as the literal text it is.

    Backslash-escaping stops formatting, HTML and [links](…), but not GitHub-style
    autolinks (www.…, https://…, a@b.c) nor Streamlit's :icon: shortcodes; an invisible
    word joiner after "www", ":" and "@" stops those.
    """
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", text or "")
    return _AUTOLINK_TRIGGERS.sub(lambda match: match.group(0) + _WORD_JOINER, escaped)


def highlighted(text: str, marks: list[tuple[int, int, str]]) -> str:
    """`text` as Markdown that shows it literally (through `plain()`), with each mark's
    span `(start, end, colour)` on a background of that colour (Streamlit's
    `:red-background[…]`). Marks that are empty or overlap an earlier one are skipped."""
    parts, at = [], 0
    for start, end, colour in sorted(marks):
        if start < at or start >= end:
            continue
        # a background mark cannot span lines: mark each line's part
        marked = "\n".join(f":{colour}-background[{plain(line)}]" if line.strip() else line
                            for line in text[start:end].split("\n"))
        parts += [plain(text[at:start]), marked]
        at = end
    parts.append(plain(text[at:]))
    return "".join(parts).replace("\n", "  \n")  # keep the text's line breaks


_MARKDOWN_MARKS = re.compile(r"[#*_>`~|]|\[([^\]]*)\]\([^)]*\)")


def excerpt(markdown: str, limit: int = 220) -> str:
    """The start of a Markdown text as plain words, for a preview shown with st.text."""
    return shortened(_MARKDOWN_MARKS.sub(lambda m: m.group(1) or "", markdown or ""), limit)


@lru_cache(maxsize=1024)
def job_card_text(title: str, facts: tuple[str, ...], description: str | None) -> str:
    """A job's card on the board as one Markdown text: the title as a third-level heading
    (as st.subheader), its facts small and grey (as st.caption), then the start of its
    description; all shown as the literal text they are. Kept: the board's jobs are shared
    and the same at every rerun, and escaping a page of them is most of the page's own work."""
    lines = [f"### {plain(title)}", f":gray[:small[{' · '.join(plain(fact) for fact in facts)}]]"]
    if start := excerpt(description or ""):
        lines.append(plain(start))
    return "\n\n".join(lines)


def shortened(text: str, limit: int) -> str:
    """The start of a plain text on one line, cut at a word, for st.text."""
    words = " ".join(text.split())
    return words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + " …"


def day_text(value: date | datetime | None, *, with_time: bool = False) -> str:
    """A date (or moment) as a table cell or fact shows it, "12 Mar 2026" or
    "12 Mar 2026, 14:05", and "—" for none (a None cell would read "None")."""
    if value is None:
        return "—"
    return f"{value:%-d %b %Y, %H:%M}" if with_time and isinstance(value, datetime) else f"{value:%-d %b %Y}"


def show_error(error: Exception | str) -> None:
    """A user-facing error; a form's several problems (ValidationError.problems) as one
    list. Messages may quote what the user typed, so they are shown as plain text, never
    as Markdown."""
    problems = getattr(error, "problems", ())
    if len(problems) > 1:
        st.error("Fix these and try again:\n" + "\n".join(f"- {plain(message)}" for _, message in problems))
    else:
        st.error(plain(str(error)))


class FieldProblems:
    """Where a form shows what is wrong with it: a summary box where this is made (at the
    form's top), each field's problem right under that field, and a line by the send
    button (on a phone the top of a long form is out of sight). Call `under(field)` just
    after a field's widget, with the field names the check uses (ValidationError.problems),
    and `by_button()` just before the send button; after a failed submit, `show(error)` fills them. What
    was typed stays: nothing reruns. A problem of a field without a line is in the box only."""

    def __init__(self) -> None:
        self._summary = st.empty()
        self._lines: dict[str, object] = {}
        self._by_button = None

    def under(self, *fields: str) -> None:
        """The line for `fields`' problems, here (right under their widget)."""
        line = st.empty()
        for field in fields:
            self._lines[field] = line

    def by_button(self) -> None:
        """The line that says, right above the send button, that something is to fix."""
        self._by_button = st.empty()

    def show(self, error: Exception | str) -> None:
        with self._summary.container():
            show_error(error)
        problems = getattr(error, "problems", ())
        messages: dict[object, list[str]] = {}
        for field, message in problems:
            if field in self._lines:
                messages.setdefault(self._lines[field], []).append(message)
        for line, said in messages.items():
            _problem_line(line, " ".join(said))
        if self._by_button is not None:
            if messages:
                to_fix = counted(len(problems), "problem")
                _problem_line(self._by_button, f"Nothing was sent: fix the {to_fix} shown above, "
                              "each under its field, and send again.")
            else:
                _problem_line(self._by_button, str(error))


def known_choice(label: str, known: list[str], current: str | None, placeholder: str,
                 **kwargs) -> str | None:
    """A choice among the values already in use (departments, locations, topics), with a way
    to type a new one: `current` is chosen (and offered even if no longer in use); nothing
    chosen gives None."""
    options = list(known)
    if current and current not in options:
        options.append(current)
    return st.selectbox(label, sorted(options, key=str.casefold),
                        index=sorted(options, key=str.casefold).index(current) if current else None,
                        accept_new_options=True, placeholder=placeholder, **kwargs)


def _problem_line(place, message: str) -> None:
    place.caption(":red[:material/error: " + plain(message) + "]")


def post_check(result, channel: str) -> None:
    """A social post's check (services.social.review.PostCheck): its length against the
    channel's limit, then each finding of the guidelines, blocking ones as errors and
    advice as warnings, with their alternatives."""
    over = result.length - result.limit
    (st.error if over > 0 else st.caption)(
        f"{result.length:,} of {result.limit:,} characters on {plain(channel)}"
        + (f": {over:,} too many." if over > 0 else "."))
    for finding in result.findings:
        advice = f" Try: {', '.join(finding.alternatives)}." if finding.alternatives else ""
        if finding.blocking:
            st.error(plain(finding.message + advice), icon=":material/block:")
        else:
            st.warning(plain(finding.message + advice), icon=":material/lightbulb:")


def act_then_rerun(action: Callable[[], object], notice_key: str, success: str,
                   remember: dict | None = None) -> None:
    """Run a service call from a button or form. On success keep `success` under
    `notice_key` (and the `remember` session entries) for the page to show, and show the
    page again with the change; on a refusal say why where the user is, keeping what they
    typed."""
    try:
        action()
    except UserFacingError as error:
        show_error(error)
    else:
        st.session_state[notice_key] = success
        st.session_state.update(remember or {})
        st.rerun()


def toggle_setting(label: str, key: str, on: bool, save: Callable[[bool], object],
                   said: Callable[[bool], str]) -> None:
    """A saved yes/no choice as a toggle showing `on`: flipping it saves the new value and
    shows `said(value)`, or why it could not be saved."""
    choice = st.toggle(label, value=on, key=key)
    if choice != on:
        try:
            save(choice)
        except UserFacingError as error:
            show_error(error)
        else:
            st.success(said(choice))


# The page a list shows is in the URL (`?page=3`, or the list's own name where a screen has
# two), so a link or a reload opens that page. The widget's value is kept in the session
# under a key that names the list, then its filters ("hires-page:<search>:<source>"), so
# new filters start at page 1; the session remembers which key of the list the URL's page
# was written for.
def _url_page_of(key: str, url: str) -> str:
    return f"url-page-of:{url}:{key.split(':', 1)[0]}"


MAX_PAGE = 100_000


def page_from_url(text: object) -> int:
    """The page a URL names, or 1 for anything that is not a page number (`abc`, `-2`, `1e9`)."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


def page_number(key: str, url: str = "page") -> int:
    """The page of the list kept under `key` to show: the one chosen, else (on opening a
    link, or after a reload) the one in the URL's `url` parameter, unless that was written
    for the list before its filters changed."""
    if key in st.session_state:
        return int(st.session_state[key] or 1)
    written_for = st.session_state.get(_url_page_of(key, url))
    if written_for is not None and written_for != key:
        return 1
    return page_from_url(st.query_params.get(url))


def pagination(result: Page, key: str, url: str = "page") -> None:
    """Page buttons under a list, with "x–y of n"; the page shown goes into the URL's `url`
    parameter. A page past the end (an old link, a shorter list) shows the last page instead."""
    st.session_state[_url_page_of(key, url)] = key
    if result.total and result.number > result.page_count:
        st.session_state.pop(key, None)
        _page_in_url(url, result.page_count)
        st.rerun()
    _page_in_url(url, result.number if result.total else 1)
    first = Page.offset(result.number, result.size) + 1 if result.total else 0
    last = min(result.total, first + len(result.rows) - 1) if result.total else 0
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.caption(f"{first}–{last} of {result.total:,}" + ("+" if result.more else ""))
    if result.page_count > 1:
        with right:
            st.pagination(result.page_count, key=key, default=result.number, width="stretch")


def _page_in_url(url: str, number: int) -> None:
    """`?url=number` in the address bar (nothing for the first page), written only when it changes."""
    wanted = str(number) if number > 1 else None
    if st.query_params.get(url) != wanted:
        if wanted is None:
            del st.query_params[url]
        else:
            st.query_params[url] = wanted


def paged_table(key: str, fetch: Callable[[int], Page[T]], row: Callable[[T], dict],
                empty: str, *, on_select: Callable[[T], None] | None = None,
                column_config: dict | None = None, url: str = "page") -> Page[T]:
    """A table that loads one page at a time: `fetch(page_number)` returns a Page, `row`
    turns one item into a table row, `empty` is said when there is nothing to show.
    With `on_select`, choosing a row calls it with that row's item (to open it)."""
    result = fetch(page_number(key, url))
    if not result.total:
        st.session_state[_url_page_of(key, url)] = key
        _page_in_url(url, 1)
        st.info(empty)
        return result
    rows = [row(item) for item in result.rows]
    if on_select is None:
        st.dataframe(rows, hide_index=True, column_config=column_config)
    else:
        table_key = f"{key}:selection:{result.number}"  # a selection belongs to one page
        selection = st.dataframe(rows, hide_index=True, column_config=column_config,
                                 on_select="rerun", selection_mode="single-row", key=table_key)
        chosen = [i for i in (selection.selection.rows if selection else []) if i < len(rows)]
        if chosen:
            st.session_state.pop(table_key, None)  # coming back, nothing is chosen
            on_select(result.rows[chosen[0]])
    pagination(result, key, url)
    return result


def stored_file_download(key: str, label: str, fetch: Callable[[], object]) -> None:
    """A button that reads a stored file (a résumé) through `fetch` (the capability's read,
    which checks access and audits the download) and then offers it to save. Files are read
    only when asked for, one at a time. `fetch` returns something with `file_name`, `data` and
    `content_type`; storage that cannot give it is said in words."""
    if st.button(label, key=key, icon=":material/description:"):
        try:
            st.session_state["stored-file"] = (key, fetch())
        except (UserFacingError, OSError):
            st.error("This résumé could not be read from storage. Try again later; if it keeps "
                     "failing, tell your portal admin.")
    held = st.session_state.get("stored-file")
    if held and held[0] == key:
        st.download_button(f"Download {held[1].file_name}", held[1].data, file_name=held[1].file_name,
                           mime=held[1].content_type, icon=":material/download:", on_click="ignore",
                           key=f"{key}:download")


def note_form(key: str, add: Callable[[str], object]) -> None:
    """A note to add (staff's notes on an application): `add(body)` saves it; a refused note
    stays typed, a saved one starts a fresh, empty form (new widget keys: the browser's too)."""
    generation = st.session_state.get(key, 0)
    base, _, subject = key.partition(":")
    with st.form(f"{key}:{generation}"):
        body = st.text_area("New note", key=f"{base}-body:{subject}:{generation}", height=90)
        if st.form_submit_button("Add note", icon=":material/note_add:"):
            try:
                add(body)
            except UserFacingError as error:
                show_error(error)  # the note stays typed
            else:
                st.session_state[key] = generation + 1
                st.rerun()


def csv_import(key: str, run: Callable[[bytes, str], object], noun: str, retry: str,
               plural: str | None = None) -> None:
    """A CSV upload form whose outcome stays shown until the next import: `run(data,
    file_name)` returns an import result (added, already_imported, problems with row and
    reason, ignored_columns) or raises a user-facing error; `noun` (and its `plural` where
    it is not noun + "s") names what a row adds; `retry` says what to do with the rows left
    out."""
    with st.form(key):
        upload = st.file_uploader("CSV file", type=["csv"], max_upload_size=20)
        submitted = st.form_submit_button("Import", type="primary", icon=":material/upload:")
    if submitted:
        if upload is None:
            st.error("Choose a CSV file first.")
        else:
            try:
                st.session_state[f"{key}:result"] = run(upload.getvalue(), upload.name)
            except UserFacingError as error:
                show_error(error)
    if result := st.session_state.get(f"{key}:result"):
        message = (f"Added {counted(result.added, noun, plural)}."
                   + (f" Skipped {counted(result.already_imported, 'row')} imported before."
                      if result.already_imported else ""))
        (st.success if result.added or not result.problems else st.warning)(message)
        if result.problems:
            st.error(f"Left out {counted(len(result.problems), 'row')}. {retry}")
            st.dataframe([{"Row": p.row, "Problem": p.reason} for p in result.problems],
                         hide_index=True)
        if result.ignored_columns:
            st.info("Columns not used: " + plain(", ".join(result.ignored_columns)))


def database_unavailable(error: DatabaseUnavailable) -> None:
    _problem_page(
        "The database is not reachable", error,
        "- With `DATABASE_URL` set: check the host, port, user and password, and that the "
        "server accepts connections from here (Supabase: use the *session pooler* string).\n"
        "- Without it: the embedded PostgreSQL keeps its data under `.data/` (or "
        "`PORTAL_DATA_DIR`); check that the folder is writable.\n\n"
        "The portal tries again every time you press the button below; no restart is needed.")


def migration_failed(error: Exception) -> None:
    _problem_page(
        "The database could not be brought up to date", error,
        "A migration in `supabase/migrations/` failed, and nothing of that file was applied. "
        "Fix the file (or the database), then press the button below, or run "
        "`portal db upgrade` to see the same message in a terminal.")


def _problem_page(title: str, error: Exception, advice: str) -> None:
    """What the app shows instead of its pages when it cannot run them; the button reruns."""
    st.title(title)
    show_error(error)
    st.markdown(advice)
    st.button("Try again", type="primary")


def unexpected_error(error: Exception) -> None:
    _log.exception("unexpected error on a page", exc_info=error)
    st.error("Something went wrong on our side and the action was not completed. "
             "Try again; if it keeps happening, tell your portal admin the time it happened.")


def role_badge(role: Role | None) -> str:
    return role.label if role else "Visitor"


def public_url_warning(public_url: str, here: object, *, configured: bool) -> str | None:
    """What to tell an admin when the links the portal makes (emails, posts, referral links)
    would not lead back to the address the portal is used at; None when they do.
    `configured`: the address comes from PORTAL_PUBLIC_URL (else an admin may choose one)."""
    if not isinstance(here, str) or not here.startswith(("http://", "https://")):
        return None  # not in a browser (tests, scripts): nothing to compare
    if origin(public_url) == origin(here):
        return None
    said = (f"Links the portal sends and shares point at {public_url}, but you are using "
            f"{origin(here)}: every invitation, follow and referral link would lead there.")
    if configured:
        return f"{said} Set PORTAL_PUBLIC_URL to the address people use (see docs/operations.md)."
    return (f"{said} If people reach the portal here, use this address for links; to settle it for "
            "good, set PORTAL_PUBLIC_URL (see docs/operations.md).")

