"""Boomerang's entry point: settings, who is signed in, the pages of their role, run."""

from __future__ import annotations

import argparse
import sys
from functools import partial

import streamlit as st

from portal import ui
from portal.db import DatabaseUnavailable, ensure_ready
from portal.errors import UserFacingError
from portal.migrations import MigrationError
from portal.models import Actor
from portal.navigation import menu_for
from services import demo
from services.people import accounts, sign_in


def demo_flag() -> bool:
    """`streamlit run streamlit_app.py -- --demo` loads the demo data on an empty database."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--demo", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0].demo


def main() -> None:
    st.set_page_config(page_title="Boomerang", page_icon="🪃", layout="wide")
    try:
        ensure_ready()
        actor = ui.current_actor()
        if actor.signed_in:
            actor = sign_in.refresh(actor) or Actor.visitor()
            if actor.signed_in:
                ui.remember(actor)  # picks up a role or name changed since the last click
            else:
                ui.sign_out()
                st.toast("You have been signed out: your account is no longer active.")
        # Someone signed in means accounts exist: only visitors need the first-run check.
        first_run = not actor.signed_in and accounts.is_first_run()
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

    menu = menu_for(actor.role, first_run=first_run)
    # Expanded: an admin's menu is long enough that Streamlit would hide its end behind
    # "View more".
    page = st.navigation({section: [spec.page() for spec in specs]
                          for section, specs in menu.items()}, expanded=True)
    with st.sidebar:
        if actor.signed_in:
            st.caption(f"Signed in as **{ui.plain(actor.display_name)}** · "
                       f"{ui.role_badge(actor.role)}")
            if st.button("Sign out", icon=":material/logout:", width="stretch"):
                ui.sign_out()
                st.rerun()
    try:
        page.run()
    except DatabaseUnavailable as error:
        ui.database_unavailable(error)
    except UserFacingError as error:
        ui.show_error(error)
    except Exception as error:  # noqa: BLE001 - last line of defence: no traceback for users
        ui.unexpected_error(error)


main()
