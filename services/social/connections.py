"""Company pages connected through the network's OAuth 2, the way Buffer and Hootsuite do it.

An admin presses Connect on Admin → Social channels; the web layer's /oauth/<network>/connect
route calls `begin`, which remembers a single-use state (and a PKCE verifier where the
network uses one) and sends the browser to the network's consent screen. The network sends
it back to /oauth/<network>/callback, whose `finish` checks the state belongs to this
browser's admin and is fresh, exchanges the code for tokens, asks the network which page
they post as, and keeps them encrypted (portal.secret_box) in private.channel_connections.

The worker refreshes tokens before they expire (`refresh_due`), the publisher posts with
them (`for_sending`, services/social/delivery.py), and `disconnect` revokes them at the
network. No function here returns a token to a page: `shown` says which page is connected
and until when, nothing more.

What each network adds to OAuth itself (its addresses and scopes are in portal/networks.py):
`ACCOUNT_LOOKUPS` asks it which page or account the new token posts as (and, for Facebook,
trades the user's token for the page's own).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit
from uuid import UUID

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, secret_box
from portal.addresses import OAUTH_CALLBACK_PATH, OAUTH_CONNECT_PATH
from portal.db import owner_transaction, transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor
from portal.networks import NETWORKS, OAuth
from portal.permissions import require_admin
from portal.public_address import public_url
from portal.settings import Settings, settings
from portal.tokens import token_hash
from portal.words import counted
from services.social import channels
from services.social.publishing import Connected

log = logging.getLogger(__name__)

STATE_MINUTES = 10
# A token is refreshed once less than a quarter of its life is left, and at least this long
# before it ends (the worker looks every ten minutes).
REFRESH_MARGIN = timedelta(minutes=30)
MAX_CHOICES = 20  # pages offered to post as, when the admin manages several
# Access that cannot be renewed is announced on the admins' page this long before it ends.
ANNOUNCE_AHEAD = timedelta(days=7)
CHANNELS_PAGE = "/social-channels"


@dataclass(frozen=True)
class Shown:
    """What a page may know of a channel's connection: never a token."""
    channel_id: UUID
    account_name: str
    expires_at: datetime | None
    refreshable: bool
    connected_at: datetime
    problem: str | None
    account_id: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (id, name) of every page the admin may post as


@dataclass(frozen=True)
class Account:
    """Whom a new token posts as, as the network says: the page's or account's id and name;
    `token`, the page's own token where the network trades the user's for it (Facebook);
    `grantor`, who consented, where the network revokes by it (Facebook's user id)."""
    id: str
    name: str
    token: str | None = field(default=None, repr=False)
    grantor: str | None = None


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    refresh_expires_at: datetime | None

    def __repr__(self) -> str:  # tokens are secrets
        return f"Tokens(expires_at={self.expires_at!r})"


class NetworkRefused(Exception):
    """A call to the network that failed; its message is ours, never the network's answer or a token."""

    def __init__(self, message: str, *, final: bool):
        super().__init__(message)
        self.final = final  # the network refused (4xx): trying again will not help


# --- configuration -------------------------------------------------------------------------------

def oauth_of(network: str) -> OAuth:
    described = NETWORKS[network].oauth
    if described is None:
        raise ValidationError(f"{NETWORKS[network].label} pages are not connected through OAuth.")
    return described


def connectable(network: str) -> bool:
    """Whether an admin connects `network`'s pages through OAuth."""
    return network in NETWORKS and NETWORKS[network].oauth is not None


def endpoint(url: str, network: str, config: Settings) -> str:
    """One of the network's OAuth addresses, with its scheme and host replaced by the
    network's *_oauth_url setting when that is set (a stand-in in tests, a proxy)."""
    override = getattr(config, oauth_of(network).endpoint_setting)
    if not override:
        return url
    parts, base = urlsplit(url), urlsplit(override)
    return parts._replace(scheme=base.scheme, netloc=base.netloc,
                          path=base.path.rstrip("/") + parts.path).geturl()


def connect_path(network: str, channel_id: UUID) -> str:
    """The Connect button's address (the web layer's route that begins the connection)."""
    return f"{OAUTH_CONNECT_PATH.format(network=network)}?{urlencode({'channel': str(channel_id)})}"


def callback_url(network: str, config: Settings | None = None) -> str:
    """Where the network sends the admin back: register it as the app's redirect URL."""
    return public_url(config or settings()) + OAUTH_CALLBACK_PATH.format(network=network)


def missing_configuration(network: str, config: Settings | None = None) -> list[str]:
    """The settings connecting a page of `network` still needs (names of environment
    variables or secrets.toml keys); empty when it can be connected."""
    config = config or settings()
    client_id, client_secret = oauth_of(network).client_settings
    missing = [name.upper() for name in (client_id, client_secret) if not getattr(config, name)]
    if not secret_box.has_key(config):
        missing.append(secret_box.KEY_SETTING)
    return missing


def _client(network: str, config: Settings) -> tuple[str, str]:
    client_id, client_secret = oauth_of(network).client_settings
    return getattr(config, client_id), getattr(config, client_secret)


# --- connecting ------------------------------------------------------------------------------------

def begin(actor: Actor | None, channel_id: UUID, network: str, config: Settings | None = None,
          now: datetime | None = None) -> str:
    """The address of the network's consent screen for connecting `channel_id`'s page, with
    a fresh single-use state (and PKCE challenge) remembered for this admin."""
    config, now = config or settings(), now or datetime.now(UTC)
    oauth = oauth_of(network)
    if actor is None:
        raise PermissionDenied("Sign in as an admin, then connect the page from Admin → Social channels.")
    if missing := missing_configuration(network, config):
        raise ValidationError(f"Connecting {NETWORKS[network].label} pages needs {_and(missing)} in the "
                              "portal's settings (docs/operations.md).")
    with transaction(actor) as conn:
        require_admin(conn, "connect a company page")
        found = channels.network_of(conn, channel_id)
    if found != network:
        raise ValidationError(f"That channel is on {NETWORKS[found].label}, not {NETWORKS[network].label}.")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if oauth.pkce else None
    redirect_uri = callback_url(network, config)
    with owner_transaction() as conn:
        conn.execute(sa.text("delete from private.channel_oauth_states where expires_at < :now"),
                     {"now": now})
        conn.execute(sa.text(
            "insert into private.channel_oauth_states (state_hash, channel_id, network, user_id,"
            " code_verifier, redirect_uri, expires_at) values (:hash, :channel,"
            " cast(:network as public.social_network), :user, :verifier, :redirect, :expires)"),
            {"hash": token_hash(state), "channel": channel_id, "network": network, "user": actor.user_id,
             "verifier": secret_box.seal(verifier, config) if verifier else None, "redirect": redirect_uri,
             "expires": now + timedelta(minutes=STATE_MINUTES)})
    query = {"response_type": "code", "client_id": _client(network, config)[0], "redirect_uri": redirect_uri,
             "state": state, "scope": oauth.scope_separator.join(oauth.scopes)}
    if verifier:
        query |= {"code_challenge": _challenge(verifier), "code_challenge_method": "S256"}
    return f"{endpoint(oauth.authorize_url, network, config)}?{urlencode(query, quote_via=quote)}"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


START_AGAIN = "Start again with Connect on Admin → Social channels."


def finish(actor: Actor | None, network: str, state: str, code: str, error: str | None = None,
           config: Settings | None = None, now: datetime | None = None) -> UUID:
    """Complete a connection the network sent the admin back from: the channel connected."""
    config, now = config or settings(), now or datetime.now(UTC)
    if not connectable(network):
        raise NotFound("There is no such network to connect.")
    label = NETWORKS[network].label
    with owner_transaction() as conn:  # used once, whatever happens next
        row = conn.execute(sa.text(
            "delete from private.channel_oauth_states where state_hash = :hash returning channel_id,"
            " network::text as network, user_id, code_verifier, redirect_uri, expires_at"),
            {"hash": token_hash(state or "")}).first() if state else None
    if row is None or row.network != network:
        raise ValidationError(f"This answer from {label} does not match a connection begun here (or it was "
                              f"used already), so nothing was connected. {START_AGAIN}")
    if row.expires_at < now:
        raise ValidationError(f"This connection was begun more than {STATE_MINUTES} minutes ago and has "
                              f"expired, so nothing was connected. {START_AGAIN}")
    if actor is None or actor.user_id != row.user_id:
        raise PermissionDenied(f"This connection was begun by another user or in another browser, so "
                               f"nothing was connected. Sign in as that admin, or {START_AGAIN[0].lower()}"
                               f"{START_AGAIN[1:]}")
    if error:
        cancelled = error == "access_denied"
        raise ValidationError(f"The connection was cancelled at {label}; nothing was connected."
                               if cancelled else f"{label} did not connect the page (it answered "
                               f"“{error[:60]}”). {START_AGAIN}")
    if not code:
        raise ValidationError(f"{label} sent no authorization code back. {START_AGAIN}")
    verifier = secret_box.unseal(row.code_verifier, config) if row.code_verifier else None
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": row.redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    try:
        tokens = _token_request(network, form, config, now)
        accounts = ACCOUNT_LOOKUPS[network](tokens.access_token, config)
    except NetworkRefused as refused:
        raise ValidationError(f"{refused} Nothing was connected. {START_AGAIN}") from None
    account = accounts[0]  # the admin may choose another on the page
    if account.token:  # the page's own token goes out, not the user's
        tokens = Tokens(account.token, None, None, None)
    with owner_transaction() as conn:
        conn.execute(sa.text(
            "insert into private.channel_connections (channel_id, account_id, account_name, access_token,"
            " refresh_token, issued_at, expires_at, refresh_expires_at, grantor, choices, connected_by,"
            " connected_at) values (:channel, :account_id, :account_name, :access, :refresh, :now, :expires,"
            " :refresh_expires, :grantor, cast(:choices as jsonb), :user, :now)"
            " on conflict (channel_id) do update set"
            " account_id = excluded.account_id, account_name = excluded.account_name,"
            " access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
            " issued_at = excluded.issued_at, expires_at = excluded.expires_at,"
            " refresh_expires_at = excluded.refresh_expires_at, grantor = excluded.grantor,"
            " choices = excluded.choices,"
            " connected_by = excluded.connected_by, connected_at = excluded.connected_at, problem = null"),
            {"channel": row.channel_id, "account_id": account.id[:200], "account_name": account.name[:200],
             "grantor": account.grantor, "choices": _choices(accounts, config), **_sealed(tokens, config),
             "now": now, "user": actor.user_id})
    # Connecting again replaces the tokens without revoking the old ones: the network may hand
    # back the same token, or revoke the whole grant (the new tokens with it).
    with transaction(actor) as conn:
        audit.record(conn, "channel.connected", "social_channel", str(row.channel_id),
                     {"network": network, "page": account.name[:200]})
    return row.channel_id


def _choices(accounts: list[Account], config: Settings) -> str:
    """The pages the admin may post as, for choosing later: id, name and (sealed) own token."""
    return json.dumps([{"id": a.id[:200], "name": a.name[:200],
                        "token": secret_box.seal(a.token, config) if a.token else None} for a in accounts])


def _sealed(tokens: Tokens, config: Settings) -> dict:
    return {"access": secret_box.seal(tokens.access_token, config),
            "refresh": secret_box.seal(tokens.refresh_token, config) if tokens.refresh_token else None,
            "expires": tokens.expires_at, "refresh_expires": tokens.refresh_expires_at}


def _token_request(network: str, form: dict, config: Settings, now: datetime) -> Tokens:
    """POST to the network's token endpoint (a code or a refresh token for tokens)."""
    oauth, label = oauth_of(network), NETWORKS[network].label
    client_id, client_secret = _client(network, config)
    auth = None
    if oauth.client_auth == "basic":
        auth = (client_id, client_secret)
        form = {**form, "client_id": client_id}
    else:
        form = {**form, "client_id": client_id, "client_secret": client_secret}
    answer = _call("post", endpoint(oauth.token_url, network, config), label, config, data=form, auth=auth)
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise NetworkRefused(f"{label} answered without an access token.", final=True)

    def at(seconds) -> datetime | None:
        if isinstance(seconds, int | float) and seconds > 0:
            return now + timedelta(seconds=int(seconds))
        return None

    refresh = answer.get("refresh_token")
    return Tokens(access, refresh if isinstance(refresh, str) and refresh else form.get("refresh_token"),
                  at(answer.get("expires_in")), at(answer.get("refresh_token_expires_in")))


def _call(method: str, url: str, label: str, config: Settings, **request) -> dict:
    """One call to the network; its JSON answer, or NetworkRefused in our own words."""
    try:
        timeout = httpx.Timeout(config.publish_timeout, connect=min(config.publish_timeout, 5.0))
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, url, **request)
    except httpx.TimeoutException:
        raise NetworkRefused(f"{label} did not answer in time.", final=False) from None
    except httpx.HTTPError:
        raise NetworkRefused(f"Could not connect to {label}.", final=False) from None
    if not response.is_success:
        status = response.status_code
        final = 400 <= status < 500 and status != 429
        raise NetworkRefused(f"{label} refused (HTTP {status}).", final=final)
    try:
        data = response.json() if response.content else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- which page a token posts as -------------------------------------------------------------------

def _linkedin_pages(token: str, config: Settings) -> list[Account]:
    """The organisations the member administers (LinkedIn's organizationAcls), with their names."""
    headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": config.linkedin_api_version,
               "X-Restli-Protocol-Version": "2.0.0"}
    acls = _call("get", f"{config.linkedin_api_url}/rest/organizationAcls", "LinkedIn", config,
                 params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"}, headers=headers)
    pages = [e.get("organization") for e in acls.get("elements", []) if isinstance(e, dict)]
    pages = [urn for urn in pages if isinstance(urn, str) and urn.startswith("urn:li:organization:")]
    if not pages:
        raise NetworkRefused("The LinkedIn member who consented administers no LinkedIn page; sign in at "
                             "LinkedIn as an admin of the company's page.", final=True)
    found = []
    for urn in list(dict.fromkeys(pages))[:MAX_CHOICES]:
        try:
            name = _call("get", f"{config.linkedin_api_url}/rest/organizations/"
                         f"{quote(urn.rsplit(':', 1)[1], safe='')}", "LinkedIn", config,
                         headers=headers).get("localizedName")
        except NetworkRefused:
            name = None
        found.append(Account(urn, name if isinstance(name, str) and name.strip() else urn))
    return found


def _x_account(token: str, config: Settings) -> list[Account]:
    """The X account that consented (GET /2/users/me)."""
    data = _call("get", f"{config.x_api_url}/2/users/me", "X", config,
                 headers={"Authorization": f"Bearer {token}"}).get("data") or {}
    if not isinstance(data, dict) or not data.get("id"):
        raise NetworkRefused("X did not say which account consented.", final=True)
    return [Account(str(data["id"]), f"@{data.get('username') or data['id']}")]


def _facebook_pages(token: str, config: Settings) -> list[Account]:
    """The pages the user manages, each with its own token: traded from the long-lived user
    token (fb_exchange_token), so they do not expire."""
    client_id, client_secret = _client("facebook", config)
    lasting = _call("get", endpoint(oauth_of("facebook").token_url, "facebook", config), "Facebook", config,
                    params={"grant_type": "fb_exchange_token", "client_id": client_id,
                            "client_secret": client_secret, "fb_exchange_token": token}).get("access_token")
    if not isinstance(lasting, str) or not lasting:
        raise NetworkRefused("Facebook did not give a lasting token.", final=True)
    user = _call("get", f"{config.facebook_graph_url}/me", "Facebook", config,
                 params={"fields": "id", "access_token": lasting}).get("id")
    pages = _call("get", f"{config.facebook_graph_url}/me/accounts", "Facebook", config,
                  params={"fields": "id,name,access_token", "access_token": lasting}).get("data") or []
    pages = [p for p in pages if isinstance(p, dict) and p.get("id") and p.get("access_token")]
    if not pages:
        raise NetworkRefused("The Facebook user who consented manages no Facebook page (or did not let the "
                             "portal post to one); choose the company's page when Facebook asks.", final=True)
    return [Account(str(page["id"]), str(page.get("name") or page["id"]), token=str(page["access_token"]),
                    grantor=str(user) if user else None) for page in pages[:MAX_CHOICES]]


ACCOUNT_LOOKUPS: dict[str, Callable[[str, Settings], list[Account]]] = {
    "linkedin": _linkedin_pages, "x": _x_account, "facebook": _facebook_pages}


# --- what pages see ---------------------------------------------------------------------------------

def shown(actor: Actor) -> dict[UUID, Shown]:
    """Each connected channel's page, expiry and last problem (staff; never a token)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text("select * from private.channel_connections_shown()")).all()
    return {r.channel_id: Shown(**{**r._mapping, "choices": tuple((c["id"], c["name"]) for c in r.choices)})
            for r in rows}


def post_as(actor: Actor, channel_id: UUID, account_id: str) -> str:
    """Post as another of the pages the connecting admin manages; its name."""
    with transaction(actor) as conn:
        require_admin(conn, "choose the page a channel posts as")
    with owner_transaction() as conn:
        choices = conn.execute(sa.text(
            "select choices from private.channel_connections where channel_id = :id for update"),
            {"id": channel_id}).scalar()
        chosen = next((c for c in choices or [] if c["id"] == account_id), None)
        if chosen is None:
            raise ValidationError("Post as: choose one of the pages offered.")
        conn.execute(sa.text(
            "update private.channel_connections set account_id = :account, account_name = :name,"
            " access_token = coalesce(:token, access_token) where channel_id = :id"),
            {"account": chosen["id"], "name": chosen["name"], "token": chosen["token"], "id": channel_id})
    with transaction(actor) as conn:
        audit.record(conn, "channel.posts_as", "social_channel", str(channel_id), {"page": chosen["name"]})
    return chosen["name"]


# --- disconnecting -----------------------------------------------------------------------------------

def disconnect(actor: Actor, channel_id: UUID, config: Settings | None = None) -> str:
    """Forget the channel's tokens and revoke them at the network; what happened, in words."""
    config = config or settings()
    with transaction(actor) as conn:
        require_admin(conn, "disconnect a company page")
        network = channels.network_of(conn, channel_id)
    with owner_transaction() as conn:
        row = conn.execute(sa.text(
            "delete from private.channel_connections where channel_id = :id"
            " returning account_name, access_token, refresh_token, grantor"), {"id": channel_id}).first()
    if row is None:
        raise NotFound("That channel has no connected page.")
    with transaction(actor) as conn:
        audit.record(conn, "channel.disconnected", "social_channel", str(channel_id), {"network": network})
    label = NETWORKS[network].label
    what = f"{label} {oauth_of(network).connects}"
    if "{grantor}" in oauth_of(network).revoke_url:  # the grant, by who gave it, with the app's token
        revoked = bool(row.grantor) and _revoke_grant(network, row.grantor, config)
    else:
        try:
            sealed = [row.refresh_token, row.access_token] if row.refresh_token else [row.access_token]
            revoked = all([_revoke(network, secret_box.unseal(token, config), config) for token in sealed])
        except secret_box.NoKey:
            revoked = False
    if revoked:
        return f"{what} “{row.account_name}” disconnected; {label} revoked the portal's access."
    return (f"{what} “{row.account_name}” disconnected here, but {label} did not confirm that it "
            f"revoked the portal's access: remove the portal's app in the {what}'s settings there.")


def _revoke_grant(network: str, grantor: str, config: Settings) -> bool:
    """Revoke everything `grantor` allowed the app (Facebook: DELETE /{user-id}/permissions
    with the app's access token)."""
    client_id, client_secret = _client(network, config)
    url = oauth_of(network).revoke_url.replace("{grantor}", quote(grantor, safe=""))
    try:
        _call("delete", endpoint(url, network, config), NETWORKS[network].label, config,
              params={"access_token": f"{client_id}|{client_secret}"})
    except NetworkRefused as refused:
        log.warning("Revoking a %s grant: %s", network, refused)
        return False
    return True


def _revoke(network: str, token: str, config: Settings) -> bool:
    """Revoke one token (RFC 7009: LinkedIn, X)."""
    oauth = oauth_of(network)
    client_id, client_secret = _client(network, config)
    form, auth = {"token": token, "client_id": client_id}, None
    if oauth.client_auth == "basic":
        auth = (client_id, client_secret)
    else:
        form["client_secret"] = client_secret
    try:
        _call("post", endpoint(oauth.revoke_url, network, config), NETWORKS[network].label, config,
              data=form, auth=auth)
    except NetworkRefused as refused:
        log.warning("Revoking a %s token: %s", network, refused)
        return False
    return True


# --- the worker's side -----------------------------------------------------------------------------

def refresh_due(now: datetime | None = None, config: Settings | None = None) -> str:
    """Refresh every token that ends soon (a quarter of its life or REFRESH_MARGIN left);
    a refusal is kept as the connection's problem for the admins' page."""
    now, config = now or datetime.now(UTC), config or settings()
    refreshed = failed = 0
    with owner_transaction() as conn:
        due = conn.execute(sa.text(
            "select channel_id from private.channel_connections where refresh_token is not null"
            " and expires_at is not null and (refresh_expires_at is null or refresh_expires_at > :now)"
            " and expires_at <= :now + greatest(cast(:margin as interval), (expires_at - issued_at) / 4)"
            " order by expires_at"), {"now": now, "margin": REFRESH_MARGIN}).scalars().all()
        # Access that cannot be renewed (no refresh token, or it ends too) is announced on the
        # admins' page ahead: only connecting again keeps the channel publishing.
        conn.execute(sa.text(
            "update private.channel_connections set problem = :ending"
            " || to_char(expires_at at time zone 'UTC', 'DD Mon YYYY')"
            " || ' (UTC); connect the page again before then to keep publishing.'"
            " where problem is null and expires_at is not null"
            " and expires_at <= :now + cast(:ahead as interval)"
            " and (refresh_token is null or refresh_expires_at <= expires_at)"),
            {"now": now, "ahead": ANNOUNCE_AHEAD,
             "ending": "The network gives no renewal of this access, which ends on "})
    for channel_id in due:
        with owner_transaction() as conn:
            if _refresh_one(conn, channel_id, now, config):
                refreshed += 1
            else:
                failed += 1
    return f"{counted(refreshed, 'connection')} refreshed, {failed} failed."


def _refresh_one(conn: Connection, channel_id: UUID, now: datetime, config: Settings) -> bool:
    row = conn.execute(sa.text(
        "select k.refresh_token, c.network::text as network from private.channel_connections k"
        " join public.social_channels c on c.id = k.channel_id"
        " where k.channel_id = :id for update of k skip locked"), {"id": channel_id}).first()
    if row is None or row.refresh_token is None:  # disconnected, or another worker has it
        return True
    label = NETWORKS[row.network].label
    try:
        tokens = _token_request(row.network, {"grant_type": "refresh_token",
                                              "refresh_token": secret_box.unseal(row.refresh_token, config)},
                                config, now)
    except (NetworkRefused, secret_box.NoKey) as error:
        problem = (f"{label} refused to renew the portal's access ({error}); connect the page again."
                   if isinstance(error, secret_box.NoKey) or error.final
                   else f"Renewing the access failed for now ({error}); the worker tries again.")
        conn.execute(sa.text("update private.channel_connections set problem = :p where channel_id = :id"),
                     {"p": problem[:300], "id": channel_id})
        log.warning("Channel %s: %s", channel_id, problem)
        return False
    conn.execute(sa.text(
        "update private.channel_connections set access_token = :access, refresh_token = :refresh,"
        " issued_at = :now, expires_at = :expires,"
        " refresh_expires_at = coalesce(:refresh_expires, refresh_expires_at), problem = null"
        " where channel_id = :id"), {**_sealed(tokens, config), "now": now, "id": channel_id})
    return True


def for_sending(conn: Connection, channel_id: UUID, config: Settings, now: datetime) -> Connected | None:
    """The connected page a post on `channel_id` goes out as, token opened; None when the
    channel has no connection. Raises ValueError (in words) when the token cannot be used."""
    row = conn.execute(sa.text(
        "select account_id, access_token, expires_at from private.channel_connections"
        " where channel_id = :id"), {"id": channel_id}).first()
    if row is None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        raise ValueError("The connected page's access has expired; connect it again on Admin → Social"
                         " channels.")
    try:
        return Connected(row.account_id, secret_box.unseal(row.access_token, config))
    except secret_box.NoKey as error:
        raise ValueError(f"The connected page's access cannot be read ({error}); connect it again.") from None
