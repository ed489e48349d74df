"""Joining as an alumnus: the roster of former employees (admins import it from CSV),
invitations to register, and registering through an invitation link.

Only an email on the roster can get an invitation, and only an invitation makes an
alumnus account: `private.redeem_alumni_invitation` checks the token in the database.
Tokens are random, stored as their SHA-256 only, and expire.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa

from portal import audit, csv_files, mail, validation
from portal.db import contains_pattern, owner_transaction, transaction, translate_refusals
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Page, Role
from portal.settings import settings
from services.people import accounts, sign_in
from services.referrals import outreach_mail

COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("department", "last_day", "linkedin_url")
INVITATION_DAYS = outreach_mail.INVITATION_DAYS
# A visitor asking for an invitation again within this time gets no second email.
RESEND_AFTER_MINUTES = 60
STATUSES = ("not invited", "invited", "invitation expired", "registered")
JOIN_ANSWER = ("If this email is on our alumni roster and has no account yet, an invitation "
               "link is on its way to it. It is valid for 14 days.")


@dataclass(frozen=True)
class RosterRow:
    id: UUID
    full_name: str
    email: str
    department: str
    last_day: date | None
    linkedin_url: str
    status: str
    invited_at: datetime | None


@dataclass(frozen=True)
class Invitation:
    email: str
    full_name: str
    link: str


@dataclass(frozen=True)
class Invited:
    invitations: list[Invitation]  # without SMTP: the links to forward, shown once
    queued: int = 0  # with SMTP: emails queued for the worker

    @property
    def to_forward(self) -> list[Invitation]:
        return self.invitations

    @property
    def count(self) -> int:
        return len(self.invitations) + self.queued


# --- the roster (admins) ------------------------------------------------------------------

def import_roster(actor: Actor, data: bytes, file_name: str = "") -> csv_files.ImportResult:
    """Add the file's people to the roster. Bad rows are reported by spreadsheet row number
    and the good ones kept; an email already on the roster (or earlier in the file) is
    skipped, so the same file imported twice adds nothing twice."""
    table = csv_files.read_table(data, COLUMNS, OPTIONAL_COLUMNS)
    added = skipped = 0
    problems: list[csv_files.RowProblem] = []
    with transaction(actor) as conn:
        _require_admin(conn)
        for number, record in table.rows:
            try:
                row = _roster_row(record)
            except ValidationError as error:
                problems.append(csv_files.RowProblem(number, str(error)))
                continue
            inserted = conn.execute(sa.text(
                "insert into public.alumni_roster (email, full_name, department, last_day,"
                " linkedin_url, imported_by) values (:email, :name, :department, :last_day,"
                " :linkedin, auth.uid()) on conflict (email) do nothing returning id"), row).first()
            if inserted:
                added += 1
            else:
                skipped += 1
        audit.record(conn, "alumni.imported", "alumni_roster", None,
                     {"file": file_name[:200], "added": str(added), "skipped": str(skipped),
                      "problems": str(len(problems))})
    return csv_files.ImportResult(added, skipped, problems, table.ignored_columns)


def _roster_row(record: dict[str, str]) -> dict[str, object]:
    csv_files.check_no_control_characters(record)
    if not record.get("name"):
        raise ValidationError("name is empty")
    if not record.get("email"):
        raise ValidationError("email is empty")
    try:
        email = validation.email_address(record["email"])
    except ValidationError:
        raise ValidationError(f"email “{record['email']}” is not an email address") from None
    name = validation.text("name", record["name"], minimum=1, maximum=120)
    department = validation.text("department", record.get("department", ""), maximum=120)
    last_day = None
    if text := record.get("last_day", ""):
        try:
            last_day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"last_day “{text}” is not a date like 2024-06-30") from None
        if last_day > date.today():
            raise ValidationError(f"last_day {text} is in the future")
    linkedin = ""
    if text := record.get("linkedin_url", ""):
        try:
            linkedin = validation.linkedin_url(text) or ""
        except ValidationError:
            raise ValidationError(f"linkedin_url “{text}” is not a LinkedIn address "
                                  "(https://www.linkedin.com/in/…)") from None
    return {"email": email, "name": name, "department": department, "last_day": last_day,
            "linkedin": linkedin}


_STATUS_SQL = """case when registered_at is not null then 'registered'
                      when invitation_expires_at is null then 'not invited'
                      when invitation_expires_at <= now() then 'invitation expired'
                      else 'invited' end"""


def list_roster(actor: Actor, *, search: str = "", status: str | None = None,
                page: int = 1, page_size: int = 25) -> Page[RosterRow]:
    search = search.strip()
    where = (f"(:search = '' or (full_name || ' ' || email || ' ' || department) ilike :pattern)"
             f" and (cast(:status as text) is null or {_STATUS_SQL} = :status)")
    params = {"search": search, "pattern": contains_pattern(search), "status": status,
              "limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        _require_admin(conn)
        total = conn.execute(sa.text(f"select count(*) from public.alumni_roster where {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            f"select id, full_name, email, department, last_day, linkedin_url, invited_at,"  # noqa: S608
            f" {_STATUS_SQL} as status from public.alumni_roster where {where}"
            f" order by full_name, email limit :limit offset :offset"), params).all()
    return Page([RosterRow(r.id, r.full_name, r.email, r.department, r.last_day, r.linkedin_url,
                           r.status, r.invited_at) for r in rows], total, page, page_size)


def send_invitations(actor: Actor, ids: list[UUID] | None = None) -> Invited:
    """Invite the chosen roster rows (`ids`), or with None every row not invited yet. A
    chosen row invited before gets a new link (the old one stops working now); registered
    rows are skipped. Where SMTP is set the emails are queued for the worker, which makes
    each link when it sends (services/referrals/outreach_mail.py); otherwise the links are returned
    for the admin to forward (shown once: only their hashes are kept)."""
    emailing = mail.enabled()
    with transaction(actor) as conn:
        _require_admin(conn)
        if ids is None:
            rows = conn.execute(sa.text(
                "select id, email, full_name from public.alumni_roster"
                " where registered_at is null and invited_at is null order by full_name, email")).all()
        else:
            rows = conn.execute(sa.text(
                "select id, email, full_name from public.alumni_roster"
                " where registered_at is null and id = any(:ids) order by full_name, email"),
                {"ids": list(ids)}).all()
        # Emailed ones get their real token from the worker; this one, never sent, only
        # retires the old link at once.
        tokens = {row.id: secrets.token_urlsafe(32) for row in rows}
        queued = []
        if rows:
            conn.execute(sa.text(
                "update public.alumni_roster r set invitation_hash = t.hash, invited_at = now(),"
                " invitation_expires_at = now() + make_interval(days => :days)"
                " from unnest(cast(:ids as uuid[]), cast(:hashes as text[])) as t(id, hash)"
                " where r.id = t.id"),
                {"ids": list(tokens), "hashes": [outreach_mail.token_hash(t) for t in tokens.values()],
                 "days": INVITATION_DAYS})
            if emailing:
                queued = outreach_mail.queue_invitations(conn, list(tokens))
            audit.record(conn, "alumni.invited", "alumni_roster", None,
                         {"count": str(len(rows)), "emailed": str(emailing).lower()})
    if emailing:
        outreach_mail.defer(queued)
        return Invited([], len(queued))
    return Invited([Invitation(row.email, row.full_name, outreach_mail.invitation_link(tokens[row.id]))
                    for row in rows])


def invitation_emails(actor: Actor, roster_ids: list[UUID]) -> dict[UUID, outreach_mail.EmailState]:
    """The state of each row's latest invitation email, for the roster (admins)."""
    return outreach_mail.invitation_states(actor, roster_ids)


def _require_admin(conn: sa.Connection) -> None:
    if not conn.execute(sa.text("select private.is_admin()")).scalar():
        raise PermissionDenied("Only admins manage the alumni roster.")


# --- joining (visitors) ----------------------------------------------------------------------

def request_invitation(email: str) -> str:
    """"Join as an alumnus": an email on the roster without an account gets a fresh
    invitation by email. The answer is the same whatever the email, so it tells nobody
    who is on the roster; a second request within the hour sends nothing."""
    try:
        email = validation.email_address(email)
    except ValidationError:
        raise ValidationError("Enter your email address, like name@example.com.") from None
    if not mail.enabled():
        raise ValidationError("This portal does not send email. Ask the HR team for your "
                              "invitation link.")
    token = secrets.token_urlsafe(32)
    # As the owner, like signing in: visitors may not read the roster.
    with owner_transaction() as conn:
        row = conn.execute(sa.text(
            "update public.alumni_roster r set invitation_hash = :hash, invited_at = now(),"
            " invitation_expires_at = now() + make_interval(days => :days)"
            " where r.email = :email and r.registered_at is null"
            " and (r.invited_at is null or r.invited_at < now() - make_interval(mins => :minutes))"
            " and not exists (select 1 from public.profiles p where lower(p.email) = r.email)"
            " returning full_name"),
            {"hash": outreach_mail.token_hash(token), "days": INVITATION_DAYS, "email": email,
             "minutes": RESEND_AFTER_MINUTES}).first()
    if row:
        mail.send(email, outreach_mail.INVITATION_SUBJECT,
                  outreach_mail.invitation_email(row.full_name, outreach_mail.invitation_link(token)))
    return JOIN_ANSWER


@dataclass(frozen=True)
class Invitee:
    email: str
    full_name: str
    usable: bool
    problem: str


def invitation(token: str) -> Invitee | None:
    """Who a link invites, to greet them on the registration page (None: no such link)."""
    with owner_transaction() as conn:
        row = conn.execute(sa.text(
            "select email, full_name, registered_at, invitation_expires_at,"
            " invitation_expires_at <= now() as expired"
            " from public.alumni_roster where invitation_hash = :hash"),
            {"hash": outreach_mail.token_hash(token or "")}).first()
    if row is None:
        return None
    problem = ("This invitation was used already. Sign in with the account it created."
               if row.registered_at else
               f"This invitation expired on {row.invitation_expires_at:%Y-%m-%d}. Ask the HR team "
               "for a new one." if row.expired else "")
    return Invitee(row.email, row.full_name, not problem, problem)


@dataclass(frozen=True)
class Registered:
    actor: Actor | None  # signed in at once (embedded sign-in)
    emailed: bool  # Supabase emailed a sign-in link and code


def register(token: str, full_name: str, password: str, password_again: str) -> Registered:
    """Create the alumnus account an invitation link promises. The database decides
    whether the link is good (private.redeem_alumni_invitation); a refused one changes
    nothing."""
    full_name = validation.full_name(full_name)
    supabase = settings().supabase_auth
    if not supabase:
        password = validation.new_password(password)
        validation.typed_twice(password, password_again)
    # The function's refusals (link not valid, used, expired) are written for users.
    with translate_refusals(), transaction(Actor.visitor()) as conn:
        email = conn.execute(sa.text("select private.redeem_alumni_invitation(:token, :name)"),
                             {"token": token or "", "name": full_name}).scalar_one()
        if not supabase:
            conn.exec_driver_sql("reset role")  # the auth server's part, as in add_user
            accounts.create_account(conn, email, full_name, Role.ALUMNUS, password)
    if supabase:
        try:
            sign_in.supabase_client().invite(email)
        except Exception as error:  # noqa: BLE001 - Supabase and network errors alike
            with owner_transaction() as conn:  # the link may be used again
                conn.execute(sa.text("update public.alumni_roster set registered_at = null"
                                     " where email = :email"), {"email": email})
            raise ValidationError(f"Supabase could not send the sign-in email ({error}). "
                                  "Try again in a moment.") from None
        return Registered(None, True)
    return Registered(sign_in.with_password(email, password), False)
