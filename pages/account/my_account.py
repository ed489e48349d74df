"""My account: who I am, my password, my place on the leaderboard (alumni and employees),
the browsers I am signed in on, and signing out of all of them."""

import streamlit as st

from portal import ui, validation
from portal.addresses import SIGN_OUT_ROUTE
from portal.errors import UserFacingError
from portal.models import Role
from portal.settings import settings
from services.people import sessions, sign_in
from services.referrals import recognition

actor = ui.require_role(*Role)  # any signed-in user
st.title("My account")
st.text(f"{actor.display_name} · {actor.email} · {ui.role_badge(actor.role)}")

if not settings().supabase_auth:
    st.subheader("Change password", anchor=False)
    with st.form("change-password", clear_on_submit=True):
        current = st.text_input("Current password", type="password",
                                autocomplete="current-password")
        new = st.text_input("New password (at least 10 characters)", type="password",
                            autocomplete="new-password")
        repeat = st.text_input("New password again", type="password",
                               autocomplete="new-password")
        change = st.form_submit_button("Change password")
    if change:
        try:
            validation.typed_twice(new, repeat)
            sign_in.change_password(actor, current, new, ui.client_address())
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.success("Your password is changed.")

if actor.role in recognition.REFERRER_ROLES:
    st.subheader("Leaderboard", anchor=False)
    st.caption("The leaderboard ranks referrers by the points their referrals earn. Leave it and "
               "nobody else sees your name or points there; your own points stay on My referrals.")
    ui.toggle_setting("Show me on the leaderboard", "account-leaderboard-visible",
                      not recognition.opted_out(actor),
                      lambda shown: recognition.set_opt_out(actor, not shown),
                      recognition.on_leaderboard_text)

st.subheader("Signed-in devices", anchor=False)
this_session = ui.session_token() or st.context.cookies.get(sessions.COOKIE)
devices = sessions.devices(actor, this_session)
if devices:
    st.caption(f"You stay signed in on a browser for {sessions.IDLE_DAYS} days after you last use "
               f"it, and at most {sessions.ABSOLUTE_DAYS} days.")
    st.dataframe([{"Browser": d.device, "Signed in": d.signed_in_at.strftime("%Y-%m-%d %H:%M"),
                   "Last used": d.last_seen_at.strftime("%Y-%m-%d %H:%M"),
                   "This browser": "✓" if d.this_browser else ""} for d in devices],
                 hide_index=True, width="stretch")  # scrolls inside itself on a phone
else:
    st.caption("No browser keeps you signed in.")
if st.button("Sign out everywhere", type="primary", icon=":material/logout:",
             help="Ends your sessions on every browser, this one included."):
    sessions.end_all(actor)
    ui.sign_out()
    ui.go_to(SIGN_OUT_ROUTE)
    st.rerun()
