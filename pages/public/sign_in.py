"""Sign in."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Actor
from portal.navigation import landing_path
from portal.settings import settings
from services.people import sessions, sign_in


def signed_in(actor: Actor) -> None:
    """Keep `actor` signed in on this browser (the session cookie), then land by role, or on
    the page a link asked for before signing in."""
    ui.remember(actor)
    ui.go_to(sessions.hand_off_url(actor, st.query_params.get("next") or landing_path(actor.role)))
    st.rerun()


if ui.current_actor().signed_in:
    st.switch_page("pages/public/jobs.py")

st.title("Sign in")

# Back from a magic link: /sign-in?login=<nonce>&code=<code>
if "login" in st.query_params and "code" in st.query_params:
    nonce, code = st.query_params["login"], st.query_params["code"]
    st.query_params.clear()
    try:
        actor = sign_in.with_link(nonce, code, ui.client_address())
    except UserFacingError as error:
        ui.show_error(error)
    else:
        signed_in(actor)
st.caption("Recruiters, alumni, employees and candidates with an account sign in here. "
           "Browsing jobs needs no account.")

if ui.single_sign_on_configured():
    if refused := st.session_state.get(ui.SINGLE_SIGN_ON_REFUSED):
        st.error(ui.plain(refused), icon=":material/no_accounts:")  # names an address from outside
        if st.button("Sign out of that company account", icon=":material/logout:"):
            del st.session_state[ui.SINGLE_SIGN_ON_REFUSED]
            st.logout()
    elif st.button("Sign in with your company account", type="primary", icon=":material/key:",
                   help="Staff and employees: single sign-on through the company's identity provider."):
        st.login()
    st.caption("Or with your email and password:")

with st.form("sign-in", enter_to_submit=True):
    email = st.text_input("Email", autocomplete="email")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    try:
        actor = sign_in.with_password(email, password, ui.client_address())
    except UserFacingError as error:
        ui.show_error(error)
    else:
        signed_in(actor)

ui.page_link("pages/public/create_account.py", label="Create a candidate account",
             icon=":material/person_add:")
ui.page_link("pages/public/register.py", label="Join as an alumnus or employee",
             icon=":material/group_add:")

if settings().supabase_auth:
    with st.expander("No password? Get a sign-in link and code by email"):
        with st.form("email-code"):
            code_email = st.text_input("Email", key="code-email", autocomplete="email")
            code = st.text_input("Code from the email (leave empty to get an email)",
                                 max_chars=10)
            sent = st.form_submit_button("Email me / sign in with the code")
        if sent:
            try:
                if code.strip():
                    signed_in(sign_in.with_code(code_email, code, ui.client_address()))
                sign_in.send_code(code_email, ui.client_address())
                st.success(sign_in.GENERIC_CODE_SENT + " Open its link, or type its code above.")
            except UserFacingError as error:
                ui.show_error(error)
