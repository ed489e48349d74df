"""Accounts: the first run, creating accounts, and the admins' user management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, auth, validation
from portal.db import contains_pattern, on_supabase, owner_transaction, transaction, translate_refusals
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Page, Role
from portal.settings import settings
from services.people import sign_in


@dataclass(frozen=True)
class UserRow:
    id: UUID
    email: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime


# --- first run ----------------------------------------------------------------

def is_first_run() -> bool:
    """True until the first account exists."""
    with owner_transaction() as conn:
        return not _has_accounts(conn)


def _has_accounts(conn: Connection) -> bool:
    return bool(conn.execute(sa.text("select exists (select 1 from public.profiles)")).scalar())


def create_first_admin(email: str, full_name: str, password: str) -> Actor:
    email = validation.email_address(email)
    full_name = validation.full_name(full_name)
    password = validation.new_password(password)
    with owner_transaction() as conn:
        _claim_first_run(conn)
        user_id = create_account(conn, email, full_name, Role.ADMIN, password)
    return Actor(user_id=user_id, email=email, role=Role.ADMIN, full_name=full_name)


def _claim_first_run(conn: Connection) -> None:
    """Two browsers on the first-run page at once: only one becomes the admin (on
    Supabase, only one admin invitation goes out)."""
    conn.execute(sa.text("lock table public.profiles in exclusive mode"))
    if _has_accounts(conn):
        raise ValidationError("The portal already has accounts. Sign in instead.")
    if conn.execute(sa.text("select exists (select 1 from public.invitations"
                            " where role = 'admin' and expires_at > now())")).scalar():
        raise ValidationError("An invitation for the first admin is already out: look for the "
                              "sign-in email, then sign in.")


def invite_first_admin(email: str, full_name: str) -> None:
    """Supabase mode: the first admin signs in with a code Supabase emails them; the
    invitation gives the account its admin role when Supabase creates it."""
    email = validation.email_address(email)
    full_name = validation.full_name(full_name)
    with owner_transaction() as conn:
        _claim_first_run(conn)
        _invite(conn, email, full_name, Role.ADMIN, invited_by=None)
    _send_invitation(email)


def create_account(
    conn: Connection, email: str, full_name: str, role: Role, password: str | None,
    user_id: UUID | None = None,
) -> UUID:
    """Create an auth user whose profile gets `role` (owner connection: this is the auth
    server's part, for the embedded database only). Returns the new user's id."""
    if on_supabase():
        # Supabase Auth cannot use rows written past it (no aud, instance or tokens).
        raise ValidationError(
            "This database is Supabase's: its accounts are made by Supabase Auth. Set "
            "SUPABASE_URL and SUPABASE_ANON_KEY and invite people from Admin → Users.")
    _invite(conn, email, full_name, role, invited_by=None)
    if conn.execute(
        sa.text("select 1 from auth.users where lower(email) = :email"), {"email": email}
    ).first():
        raise ValidationError(f"There is already an account for {email}.")
    return conn.execute(
        sa.text(
            "insert into auth.users (id, email, encrypted_password, email_confirmed_at,"
            " raw_user_meta_data) values (coalesce(cast(:id as uuid), gen_random_uuid()), :email,"
            " :hash, now(), jsonb_build_object('full_name', cast(:name as text))) returning id"
        ),
        {"id": user_id, "email": email, "hash": auth.hash_password(password) if password else None,
         "name": full_name},
    ).scalar_one()


def _invite(conn: Connection, email: str, full_name: str, role: Role,
            invited_by: UUID | None) -> None:
    """The role the account gets when it is created (see private.handle_new_user)."""
    conn.execute(sa.text(
        "insert into public.invitations (email, role, full_name, invited_by)"
        " values (:email, :role, :name, :by)"
        " on conflict (email) do update set role = excluded.role, full_name = excluded.full_name,"
        " invited_by = excluded.invited_by, expires_at = now() + interval '14 days'"),
        {"email": email, "role": role.value, "name": full_name, "by": invited_by})


def _send_invitation(email: str) -> None:
    """Supabase mode: ask Supabase Auth to create the account and email it. If that
    fails, the invitation is withdrawn so that no role waits for a stranger."""
    try:
        sign_in.supabase_client().invite(email)
    except Exception as error:  # noqa: BLE001 - Supabase and network errors alike
        with owner_transaction() as conn:
            conn.execute(sa.text("delete from public.invitations where email = :email"),
                         {"email": email})
        raise ValidationError(f"Supabase could not send the invitation ({error}). "
                              "Check the project's email settings and try again.") from None


def add_account(email: str, full_name: str, role: Role) -> str:
    """Add an account from the command line (the operator acts as the owner); returns its
    temporary password."""
    password = auth.generate_password()
    with owner_transaction() as conn:
        create_account(conn, email, full_name, role, password)
    return password


# --- user management (admins) ---------------------------------------------------

def list_users(actor: Actor, *, search: str = "", role: Role | None = None,
               page: int = 1, page_size: int = 25) -> Page[UserRow]:
    where = ("(:search = '' or email ilike :pattern or full_name ilike :pattern) and"
             " (cast(:role as public.app_role) is null or role = cast(:role as public.app_role))")
    search = search.strip()
    params = {"search": search, "pattern": contains_pattern(search),
              "role": role.value if role else None,
              "limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(
            sa.text(f"select count(*) from public.profiles where {where}"),  # noqa: S608
            params
        ).scalar_one()
        rows = conn.execute(
            sa.text(f"select id, email, full_name, role, active, created_at from public.profiles"  # noqa: S608
                    f" where {where} order by created_at, email"
                    f" limit :limit offset :offset"),
            params,
        ).all()
    users = [UserRow(r.id, r.email, r.full_name, Role(r.role), r.active, r.created_at) for r in rows]
    return Page(users, total, page, page_size)


@dataclass(frozen=True)
class NewUser:
    user_id: UUID | None
    email: str
    temporary_password: str | None  # shown once to the admin (embedded sign-in)
    invited_by_email: bool  # Supabase sent the user a sign-in email


def add_user(actor: Actor, email: str, full_name: str, role: Role | str) -> NewUser:
    """Add an account with `role`. Embedded: a temporary password to hand over.
    Supabase: an invitation email with a sign-in link and code."""
    problems = validation.FormProblems()  # every field's problem at once
    email = problems.check("email", validation.email_address, email)
    full_name = problems.check("full_name", validation.full_name, full_name)
    role = problems.check("role", validation.role, role)
    problems.raise_any()
    config = settings()
    with transaction(actor) as conn:
        # As the admin: RLS lets only admins write invitations, so this is the check.
        if not _is_admin(conn):
            raise PermissionDenied("Only admins can add users.")
        if conn.execute(sa.text("select 1 from public.profiles where lower(email) = :email"),
                        {"email": email}).first():
            raise ValidationError(f"There is already an account for {email}: change its role "
                                  "in the list instead.")
        _invite(conn, email, full_name, role, invited_by=actor.user_id)
        audit.record(conn, "user.added", "user", email, {"role": role.value})
        if config.supabase_auth:
            user_id, password = None, None
        else:
            # The auth server's part (GoTrue's, on Supabase), in the same transaction.
            conn.exec_driver_sql("reset role")
            password = auth.generate_password()
            user_id = create_account(conn, email, full_name, role, password)
    if config.supabase_auth:
        _send_invitation(email)
    return NewUser(user_id, email, password, config.supabase_auth)


def reset_password(actor: Actor, user_id: UUID) -> str:
    """An admin sets a new temporary password for a user (embedded sign-in) and gets it
    back to hand over. On Supabase users reset their own password by email."""
    if settings().supabase_auth:
        raise ValidationError("On Supabase, users reset their password from the sign-in email.")
    password = auth.generate_password()
    with transaction(actor) as conn:
        if not _is_admin(conn):
            raise PermissionDenied("Only admins can reset passwords.")
        audit.record(conn, "user.password_reset", "user", str(user_id))
        conn.exec_driver_sql("reset role")  # the auth server's part, as in add_user
        updated = conn.execute(
            sa.text("update auth.users set encrypted_password = :hash, updated_at = now()"
                    " where id = :id returning id"),
            {"hash": auth.hash_password(password), "id": user_id}).first()
        if updated is None:
            raise ValidationError("That user no longer exists.")
    return password


def _is_admin(conn: Connection) -> bool:
    return bool(conn.execute(sa.text("select private.is_admin()")).scalar())


def change_role(actor: Actor, user_id: UUID, role: Role | str) -> None:
    role = validation.role(role)
    _update_profile(actor, user_id, "role = cast(:value as public.app_role)", role.value,
                    "user.role_changed")


def set_active(actor: Actor, user_id: UUID, active: bool) -> None:
    _update_profile(actor, user_id, "active = :value", active,
                    "user.activated" if active else "user.deactivated")


def _update_profile(actor: Actor, user_id: UUID, assignment: str, value: object,
                    action: str) -> None:
    # The guard trigger's refusals (your own role, the last admin) are written for users,
    # and are about the change asked for: something to correct, not a missing right.
    with translate_refusals(denied_as=ValidationError), transaction(actor) as conn:
        changed = conn.execute(
            # `assignment` is one of two constants from this module.
            sa.text(f"update public.profiles set {assignment} where id = :id returning email"),  # noqa: S608
            {"value": value, "id": user_id},
        ).first()
        if changed is None:
            raise PermissionDenied("Only admins can change users' roles and access.")
        audit.record(conn, action, "user", str(user_id), {"value": str(value)})
