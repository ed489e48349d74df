"""Admin → Users: add users, change roles, deactivate, reset passwords."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.people import accounts

actor = ui.require_role(Role.ADMIN)
st.title("Users")



def on_add() -> None:
    """Runs before the page: a success clears the form, an error keeps what was typed."""
    state = st.session_state
    try:
        state["added"] = accounts.add_user(actor, state["new-email"], state["new-name"],
                                           state["new-role"])
    except UserFacingError as error:
        state["add-error"] = error  # with each field's problem, shown under that field
    else:
        state["new-email"] = state["new-name"] = ""


with st.expander("Add a user", icon=":material/person_add:",
                 expanded="add-error" in st.session_state or "added" in st.session_state):
    problems = ui.FieldProblems()
    with st.form("add-user"):
        st.text_input("Name", key="new-name", max_chars=120)
        problems.under("full_name")
        st.text_input("Email", key="new-email", max_chars=254)
        problems.under("email")
        st.selectbox("Role", list(Role), format_func=lambda r: r.label, key="new-role")
        problems.under("role")
        problems.by_button()
        st.form_submit_button("Add user", type="primary", on_click=on_add)
    if refused := st.session_state.pop("add-error", None):
        problems.show(refused)
    if added := st.session_state.pop("added", None):
        if added.temporary_password:
            st.success(f"Added {ui.plain(added.email)}. Give them this temporary password, "
                       "shown only now; they can change it under My account.")
            st.code(added.temporary_password, language=None)
        else:
            st.success(f"Invited {ui.plain(added.email)}: Supabase has emailed them a sign-in "
                       "link and code.")

search_col, role_col = st.columns([3, 1])
search = search_col.text_input("Search users", placeholder="Name or email", max_chars=100)
role_filter = role_col.selectbox("Role filter", [None, *Role],
                                 format_func=lambda r: "All roles" if r is None else r.label)
page_key = f"users-page:{search}:{role_filter}"
result = accounts.list_users(actor, search=search, role=role_filter,
                             page=ui.page_number(page_key), page_size=20)


def on_role_change(user: accounts.UserRow) -> None:
    key = f"role:{user.id}"
    try:
        accounts.change_role(actor, user.id, st.session_state[key])
        st.toast(f"{ui.plain(user.email)} is now {st.session_state[key].label}.")
    except UserFacingError as error:
        st.session_state[key] = user.role  # put the box back; nothing changed
        st.session_state["users-error"] = str(error)


def on_password_reset(user: accounts.UserRow) -> None:
    try:
        password = accounts.reset_password(actor, user.id)
    except UserFacingError as error:
        st.session_state["users-error"] = str(error)
    else:
        st.session_state["users-password"] = (user.email, password)


def on_active_toggle(user: accounts.UserRow) -> None:
    try:
        accounts.set_active(actor, user.id, not user.active)
    except UserFacingError as error:
        st.session_state["users-error"] = str(error)
    else:
        done = "reactivated" if not user.active else "deactivated: they are signed out"
        st.toast(f"{ui.plain(user.email)} is {done}.")


if message := st.session_state.pop("users-error", None):
    ui.show_error(message)
if reset := st.session_state.pop("users-password", None):
    st.success(f"New temporary password for {ui.plain(reset[0])}, shown only now:")
    st.code(reset[1], language=None)
if not result.total:
    st.info("No users match.")
for user in result.rows:
    with st.container(border=True):
        info, role_col, action_col = st.columns([3, 2, 1.2], vertical_alignment="center")
        # st.text: names come from users themselves (Supabase sign-up), so no Markdown.
        info.text(f"{user.full_name or '—'} · {user.email}"
                  + ("" if user.active else " · deactivated"))
        myself = user.id == actor.user_id
        role_col.selectbox(
            "Role", list(Role), index=list(Role).index(user.role), format_func=lambda r: r.label,
            key=f"role:{user.id}", label_visibility="collapsed", disabled=myself,
            help="You cannot change your own role." if myself else None,
            on_change=on_role_change, args=(user,),
        )
        with action_col:
            actions = st.menu_button(
                "Actions", ["Deactivate" if user.active else "Reactivate", "Reset password"],
                key=f"actions:{user.id}", disabled=myself, icon=":material/more_horiz:")
        if actions in ("Deactivate", "Reactivate"):
            on_active_toggle(user)
            st.rerun()
        elif actions == "Reset password":
            on_password_reset(user)
            st.rerun()
ui.pagination(result, page_key)
