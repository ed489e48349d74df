"""Where the portal's links lead: the address people reach it at.

The links the portal makes are read later, elsewhere: in emails, social posts, referral and
follow links, the career site's canonical addresses. So they carry the address people use,
never the one a request happened to arrive on (a request's Host is the sender's to choose: a
link built from it could send someone's sign-in link to another site). The address is

1. `PORTAL_PUBLIC_URL`, when it is set (what production does);
2. else the address an admin chose in the portal: while links would lead elsewhere, admins
   see a warning that offers the address they are using (kept in `portal_settings.public_url`);
3. else `http://localhost:8501`, the quickstart's address.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import shared
from portal.errors import ValidationError
from portal.settings import Settings, settings

DEFAULT = "http://localhost:8501"
_HOST = re.compile(r"[a-z0-9.\-]+")


def public_url(config: Settings | None = None) -> str:
    """The address the portal's links start with, without a trailing slash."""
    config = config or settings()
    return config.public_url or shared.visitors_view("public address", _chosen) or DEFAULT


def _chosen(conn: Connection) -> str | None:
    return conn.execute(sa.text("select public_url from public.portal_settings where id = 1")).scalar()


def origin(url: str) -> str:
    """scheme://host[:port] of `url`, lower case, for comparing where links lead with where we are."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def checked(url: str) -> str:
    """`url` as a public address (`https://host` or `http://host:port`, nothing after it), or
    a ValidationError that says what to change."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("The address starts with https:// (or http://) and a host name, "
                              "e.g. https://careers.example.com.")
    if parts.username or parts.password or parts.path.strip("/") or parts.query or parts.fragment:
        raise ValidationError("Give the address only, e.g. https://careers.example.com: no path, "
                              "query, or user name.")
    try:
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError:
        raise ValidationError("The port after the host is a number from 1 to 65535.") from None
    if not _HOST.fullmatch(parts.hostname) and ":" not in parts.hostname:  # a name, or an IPv6 address
        raise ValidationError("The host name has letters, digits, dots and hyphens only.")
    return origin(url.strip())
