"""The script Streamlit runs on every rerun (streamlit_app.py serves it): who is signed in,
the pages of their role, run."""

from __future__ import annotations

import argparse
import sys
from functools import partial

import streamlit as st

from portal import shared, ui
from portal.addresses import SIGN_OUT_ROUTE
from portal.db import DatabaseUnavailable, ensure_ready
from portal.errors import UserFacingError
from portal.migrations import MigrationError
from portal.models import Actor, Role
from portal.navigation import landing_path, menu_for, sign_in_first_pages
from portal.public_address import origin, public_url
from portal.settings import settings
from services import demo
from services.people import accounts, preferences, sessions, sign_in

_COOKIE_READ = "session-cookie-read"
_SHOW_REFUSAL = "single-sign-on-refusal-to-show"
_ACCOUNTS_EXIST = "accounts-exist"


def demo_flag() -> bool:
    """`streamlit run streamlit_app.py -- --demo` loads the demo data on an empty database."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--demo", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0].demo


def signed_in_actor() -> Actor:
    """This browser session's user: remembered from an earlier run, else resumed from the
    session cookie when the session starts. A role or name changed since the last click
    applies now; a deactivated account, or a session ended elsewhere, signs out."""
    actor = ui.current_actor()
    if not actor.signed_in:
        if st.session_state.get(_COOKIE_READ):
            return actor
        st.session_state[_COOKIE_READ] = True
        token = st.context.cookies.get(sessions.COOKIE)
        resumed = sessions.resume(token)
        if resumed is None:
            return single_sign_on() or actor
        ui.remember(resumed, token)
        return resumed
    token = ui.session_token()
    fresh, session_open = sessions.current(actor, token)  # one round trip
    if fresh is not None and session_open:
        ui.remember(fresh)
        return fresh
    ui.sign_out()
    st.session_state[_COOKIE_READ] = True  # the cookie's session is over: do not resume it
    st.toast("You have been signed out: your account is no longer active." if fresh is None
             else "You have been signed out on this browser.")
    return Actor.visitor()


def single_sign_on() -> Actor | None:
    """Back from the company's identity provider (st.login on the sign-in page): the portal
    account with the email it vouches for, kept on this browser like a password sign-in."""
    if not ui.single_sign_on_configured() or not st.user.is_logged_in:
        return None
    try:
        actor = sign_in.with_single_sign_on(st.user.get("email"), st.user.get("email_verified"))
    except UserFacingError as error:
        st.session_state[ui.SINGLE_SIGN_ON_REFUSED] = str(error)  # the sign-in page says why
        st.session_state[_SHOW_REFUSAL] = True
        return None
    ui.remember(actor)
    ui.go_to(sessions.hand_off_url(actor, landing_path(actor.role)))
    return actor


def sign_out() -> None:
    """End this browser's session (in all its tabs) and forget its cookie."""
    sessions.end(ui.session_token() or st.context.cookies.get(sessions.COOKIE))
    ui.sign_out()
    # Nobody is signed in again on the way out, from the cookie or the identity provider.
    st.session_state[_COOKIE_READ] = True
    ui.go_to(SIGN_OUT_ROUTE)


_LINKS_CHOSEN = "links_chosen"  # the address an admin just chose, said once after the rerun


def warn_where_links_lead(admin: Actor) -> None:
    """Tell an admin while the portal's links would lead elsewhere than the address in use,
    and, without PORTAL_PUBLIC_URL, offer to use this address for them."""
    if chosen := st.session_state.pop(_LINKS_CHOSEN, None):
        st.success(f"Links the portal sends and shares now lead to {chosen}.", icon=":material/link:")
    here, configured = st.context.url, bool(settings().public_url)
    warning = ui.public_url_warning(public_url(), here, configured=configured)
    if warning is None:
        return
    with st.container(border=True):
        st.warning(warning, icon=":material/link_off:")
        if not configured and st.button(f"Use {origin(here)} for links", icon=":material/link:"):
            try:
                chosen = preferences.choose_public_url(admin, origin(here))
            except UserFacingError as error:
                ui.show_error(error)
            else:
                st.session_state[_LINKS_CHOSEN] = chosen
                st.rerun()


def main() -> None:
    st.set_page_config(page_title="Boomerang", page_icon="🪃", layout="wide")
    try:
        ensure_ready()
        actor = signed_in_actor()
        # Someone signed in means accounts exist: only visitors need the first-run check,
        # and a session that has seen accounts once does not ask again.
        first_run = not actor.signed_in and not st.session_state.get(_ACCOUNTS_EXIST) \
            and accounts.is_first_run()
        if not first_run:
            st.session_state[_ACCOUNTS_EXIST] = True
        if first_run and demo_flag():
            demo.load_demo()
            first_run = False
    except (DatabaseUnavailable, MigrationError) as error:
        # st.navigation on every run, even this one, so the pages/ folder is never listed.
        show = ui.database_unavailable if isinstance(error, DatabaseUnavailable) else \
            ui.migration_failed
        st.navigation([st.Page(partial(show, error), title="Unavailable",
                               url_path="unavailable")], position="hidden").run()
        return

    leaving_for = ui.pending_go_to()
    if leaving_for:  # a route sets or clears the session cookie, then brings the user back
        st.navigation([st.Page(partial(ui.leave_for, leaving_for), title="One moment",
                               url_path="leaving")], position="hidden").run()
        return

    menu = {section: [spec.page() for spec in specs]
            for section, specs in menu_for(actor.role, first_run=first_run).items()}
    if not actor.signed_in:  # a link to a page of signed-in users: sign in, then back to it
        menu[""] += sign_in_first_pages()
    # Expanded: an admin's menu is long enough that Streamlit would hide its end behind
    # "View more".
    page = st.navigation(menu, expanded=True)
    if st.session_state.pop(_SHOW_REFUSAL, False):  # back from the identity provider, refused
        st.switch_page("pages/public/sign_in.py")
    if actor.role is Role.ADMIN:
        warn_where_links_lead(actor)
    with st.sidebar:
        if actor.signed_in:
            st.caption(f"Signed in as **{ui.plain(actor.display_name)}** · "
                       f"{ui.role_badge(actor.role)}")
            if st.button("Sign out", icon=":material/logout:", width="stretch"):
                sign_out()
                st.rerun()
    try:
        page.run()
    except DatabaseUnavailable as error:
        ui.database_unavailable(error)
    except UserFacingError as error:
        ui.show_error(error)
    except Exception as error:  # noqa: BLE001 - last line of defence: no traceback for users
        ui.unexpected_error(error)


# What every visitor sees is shared between sessions (portal.shared): one rerun asks once
# whether it changed.
with shared.one_version_per_run():
    main()
