"""Boomerang's entry point: settings, who is signed in, the pages of their role, run."""

from __future__ import annotations

import argparse
import sys
from functools import partial

import streamlit as st

from portal import ui
from portal.db import DatabaseUnavailable, ensure_ready
from portal.errors import UserFacingError
from portal.models import Role
from services import accounts, demo

st.set_page_config(page_title="Boomerang", page_icon="🪃", layout="wide")

PUBLIC = [st.Page("pages/home.py", title="Open jobs", icon="💼", url_path="jobs", default=True)]
SIGN_IN = st.Page("pages/sign_in.py", title="Sign in", icon="🔑", url_path="sign-in")
SETUP = st.Page("pages/setup.py", title="Get started", icon="🚀", url_path="setup")
ACCOUNT = st.Page("pages/account.py", title="My account", icon="👤", url_path="account")
MY_APPLICATIONS = st.Page("pages/my_applications.py", title="My applications", icon="📄",
                          url_path="my-applications")
MY_REFERRALS = st.Page("pages/my_referrals.py", title="My referrals", icon="🤝",
                       url_path="my-referrals")
RECRUITING = [
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="overview"),
    st.Page("pages/postings.py", title="Job postings", icon="🗂️", url_path="postings"),
    st.Page("pages/referrals.py", title="Referrals", icon="🔁", url_path="referrals"),
]
USERS = st.Page("pages/users.py", title="Users", icon="🛡️", url_path="users")


def pages_for(role: Role | None, *, first_run: bool) -> dict[str, list[st.Page]]:
    """The menu of a role. Pages left out cannot be opened by URL either."""
    if first_run:  # no accounts yet: nothing to browse, nobody to sign in as
        return {"": [SETUP]}
    if role is None:
        return {"": PUBLIC + [SIGN_IN]}
    menu: dict[str, list[st.Page]] = {"": list(PUBLIC)}
    if role is Role.CANDIDATE:
        menu[""].append(MY_APPLICATIONS)
    if role in (Role.ALUMNUS, Role.EMPLOYEE):
        menu[""].append(MY_REFERRALS)
    if role.is_staff:
        menu["Recruiting"] = list(RECRUITING)
    if role is Role.ADMIN:
        menu["Admin"] = [USERS]
    menu["Account"] = [ACCOUNT]
    return menu


def demo_flag() -> bool:
    """`streamlit run streamlit_app.py -- --demo` loads the demo data on an empty database."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--demo", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0].demo


def main() -> None:
    try:
        ensure_ready()
        first_run = accounts.is_first_run()
        if first_run and demo_flag():
            demo.load_demo()
            first_run = False
        actor = ui.current_actor()
        if actor.signed_in:
            refreshed = accounts.refresh(actor)
            if refreshed is None:
                ui.sign_out()
                st.toast("You have been signed out: your account is no longer active.")
                refreshed = ui.current_actor()
            ui.remember(refreshed)
            actor = refreshed
    except DatabaseUnavailable as error:
        # st.navigation on every run, even this one, so the pages/ folder is never listed.
        st.navigation([st.Page(partial(ui.database_unavailable, error), title="Unavailable",
                               url_path="unavailable")], position="hidden").run()
        return

    page = st.navigation(pages_for(actor.role, first_run=first_run))
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
        st.error(str(error))
    except Exception as error:  # noqa: BLE001 - last line of defence: no traceback for users
        ui.unexpected_error(error)


main()
