"""Join: register as an alumnus through an invitation link (`/register?invite=…`), or ask
for one; employees are added by an admin."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.settings import settings
from services.referrals import roster as alumni

if ui.current_actor().signed_in:  # e.g. just registered: the menu now has My referrals
    st.switch_page("pages/referrer/my_referrals.py"
                   if ui.current_actor().role in (Role.ALUMNUS, Role.EMPLOYEE) else "pages/public/jobs.py")

# The token leaves the address bar at once (screenshots, shared screens); the session keeps it.
if "invite" in st.query_params:
    st.session_state["invite-token"] = st.query_params["invite"]
    del st.query_params["invite"]
token = st.session_state.get("invite-token")
invitee = alumni.invitation(token) if token else None

st.title("Join as an alumnus or employee")

if token and invitee is None:
    ui.show_error("This invitation link is not valid. Open the link from your invitation email "
                  "exactly as it was sent, or ask for a new one below.")
elif invitee and not invitee.usable:
    ui.show_error(invitee.problem)

if invitee and invitee.usable:
    st.markdown(f"Welcome back, {ui.plain(invitee.full_name)}. Register as an alumnus with "
                f"**{ui.plain(invitee.email)}**: you can then refer people you know for our open "
                "jobs and follow each referral.")
    supabase = settings().supabase_auth
    with st.form("register"):
        st.text_input("Your name", value=invitee.full_name, key="register-name", max_chars=120)
        if not supabase:
            st.text_input("Password (at least 10 characters)", type="password", key="register-password",
                          autocomplete="new-password")
            st.text_input("Password again", type="password", key="register-password-again",
                          autocomplete="new-password")
        submitted = st.form_submit_button("Register", type="primary")
    if submitted:
        state = st.session_state
        try:
            registered = alumni.register(token, state["register-name"], state.get("register-password", ""),
                                         state.get("register-password-again", ""))
        except UserFacingError as error:
            ui.show_error(error)
        else:
            state.pop("invite-token", None)
            if registered.actor:
                ui.remember(registered.actor)
                st.rerun()  # with the alumnus's menu; the top of this page sends them on
            st.success("Registered. We have emailed you a sign-in link and code: open it to sign in.")
else:
    st.subheader("Alumni")
    st.markdown("Former employees on our alumni roster register through the invitation link "
                "they are sent. Lost yours, or it expired? Ask for a new one:")
    with st.form("join"):
        st.text_input("Your email", key="join-email", autocomplete="email", max_chars=254)
        asked = st.form_submit_button("Send me an invitation")
    if asked:
        try:
            st.success(alumni.request_invitation(st.session_state["join-email"]))
        except UserFacingError as error:
            ui.show_error(error)
    st.subheader("Employees")
    st.markdown("An admin of the portal adds employees under Users; ask yours for an account. "
                "You then refer people the same way alumni do.")
ui.page_link("pages/public/sign_in.py", label="Have an account? Sign in", icon=":material/login:")
