"""Settings from the environment, falling back to `.streamlit/secrets.toml`.

Secrets are read here and nowhere else, and never logged: `Settings.__repr__`
hides them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def _secrets_file() -> dict[str, object]:
    # PORTAL_SECRETS_FILE lets tests (and unusual deployments) point elsewhere.
    path = Path(os.environ.get("PORTAL_SECRETS_FILE") or SECRETS_FILE)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = field(default=None, repr=False)
    data_dir: Path = PROJECT_ROOT / ".data"
    supabase_url: str | None = None
    supabase_anon_key: str | None = field(default=None, repr=False)
    # PORTAL_PUBLIC_URL; None: the address an admin chose, else localhost (portal/public_address.py)
    public_url: str | None = None
    # Supabase Storage, for résumés: the service key never leaves the server.
    supabase_service_key: str | None = field(default=None, repr=False)
    resume_bucket: str = "resumes"
    # AI drafting and screening; without a key the portal uses templates and rules.
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = 10.0
    # Outgoing email; without a host the private link is the only channel.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "Boomerang <no-reply@localhost>"
    smtp_starttls: bool = True
    # Publishing through the networks' APIs (services/social/publishing.py); without a network's
    # credentials its posts are shared by hand through the share link. The base URLs are
    # for tests and proxies.
    linkedin_access_token: str | None = field(default=None, repr=False)
    linkedin_author_urn: str | None = None
    linkedin_api_url: str = "https://api.linkedin.com"
    linkedin_api_version: str = "202510"
    x_bearer_token: str | None = field(default=None, repr=False)
    x_api_url: str = "https://api.x.com"
    facebook_page_id: str | None = None
    facebook_page_token: str | None = field(default=None, repr=False)
    facebook_graph_url: str = "https://graph.facebook.com/v21.0"
    # Connecting a company page through the network's OAuth 2 (services/social/connections.py):
    # the portal's app at each network, and the key its tokens are encrypted with at rest
    # (Fernet keys, comma-separated: the first encrypts, all decrypt, so a key can be rotated).
    # The *_oauth_url settings replace the scheme and host of a network's OAuth addresses.
    linkedin_client_id: str | None = None
    linkedin_client_secret: str | None = field(default=None, repr=False)
    linkedin_oauth_url: str | None = None
    x_client_id: str | None = None
    x_client_secret: str | None = field(default=None, repr=False)
    x_oauth_url: str | None = None
    facebook_app_id: str | None = None
    facebook_app_secret: str | None = field(default=None, repr=False)
    facebook_oauth_url: str | None = None
    token_key: str | None = field(default=None, repr=False)
    # Each webhook or API call, in seconds; a slow network is retried later.
    publish_timeout: float = 10.0
    # Webhooks to loopback, private, link-local or reserved addresses (a chat server on the
    # company's own network): refused unless an admin allows them, since the worker would
    # otherwise reach whatever an admin's account can name inside the network.
    allow_private_webhooks: bool = False
    # How often a worker tells the database it is alive, in seconds; one silent for three
    # beats has died, and the jobs it was running are recovered (portal/task_queue.py).
    worker_heartbeat: float = 10.0

    @property
    def embedded(self) -> bool:
        """True when the portal runs its own Postgres under `data_dir`."""
        return not self.database_url

    @property
    def supabase_auth(self) -> bool:
        """True when sign-in goes through Supabase Auth instead of `auth.users` hashes."""
        return bool(self.supabase_url and self.supabase_anon_key)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    secrets = _secrets_file()

    def get(name: str) -> str | None:
        value = environ.get(name) or secrets.get(name)
        return str(value).strip() if value else None

    data_dir = get("PORTAL_DATA_DIR")
    return Settings(
        database_url=get("DATABASE_URL"),
        data_dir=Path(data_dir).expanduser().resolve() if data_dir else PROJECT_ROOT / ".data",
        supabase_url=get("SUPABASE_URL"),
        supabase_anon_key=get("SUPABASE_ANON_KEY"),
        public_url=(get("PORTAL_PUBLIC_URL") or "").rstrip("/") or None,
        supabase_service_key=get("SUPABASE_SERVICE_ROLE_KEY"),
        resume_bucket=get("PORTAL_RESUME_BUCKET") or "resumes",
        openai_api_key=get("OPENAI_API_KEY"),
        openai_base_url=get("OPENAI_BASE_URL"),
        openai_model=get("OPENAI_MODEL") or "gpt-4o-mini",
        openai_timeout=_number(get("OPENAI_TIMEOUT"), 10.0, "OPENAI_TIMEOUT"),
        smtp_host=get("SMTP_HOST"),
        smtp_port=int(_number(get("SMTP_PORT"), 587, "SMTP_PORT")),
        smtp_user=get("SMTP_USER"),
        smtp_password=get("SMTP_PASSWORD"),
        smtp_from=get("SMTP_FROM") or "Boomerang <no-reply@localhost>",
        smtp_starttls=(get("SMTP_STARTTLS") or "true").lower() not in ("0", "false", "no", "off"),
        linkedin_access_token=get("LINKEDIN_ACCESS_TOKEN"),
        linkedin_author_urn=get("LINKEDIN_AUTHOR_URN"),
        linkedin_api_url=(get("LINKEDIN_API_URL") or "https://api.linkedin.com").rstrip("/"),
        linkedin_api_version=get("LINKEDIN_API_VERSION") or "202510",
        x_bearer_token=get("X_BEARER_TOKEN"),
        x_api_url=(get("X_API_URL") or "https://api.x.com").rstrip("/"),
        facebook_page_id=get("FACEBOOK_PAGE_ID"),
        facebook_page_token=get("FACEBOOK_PAGE_TOKEN"),
        facebook_graph_url=(get("FACEBOOK_GRAPH_URL") or "https://graph.facebook.com/v21.0").rstrip("/"),
        linkedin_client_id=get("LINKEDIN_CLIENT_ID"),
        linkedin_client_secret=get("LINKEDIN_CLIENT_SECRET"),
        linkedin_oauth_url=(get("LINKEDIN_OAUTH_URL") or "").rstrip("/") or None,
        x_client_id=get("X_CLIENT_ID"),
        x_client_secret=get("X_CLIENT_SECRET"),
        x_oauth_url=(get("X_OAUTH_URL") or "").rstrip("/") or None,
        facebook_app_id=get("FACEBOOK_APP_ID"),
        facebook_app_secret=get("FACEBOOK_APP_SECRET"),
        facebook_oauth_url=(get("FACEBOOK_OAUTH_URL") or "").rstrip("/") or None,
        token_key=get("PORTAL_TOKEN_KEY"),
        publish_timeout=_number(get("PUBLISH_TIMEOUT"), 10.0, "PUBLISH_TIMEOUT"),
        allow_private_webhooks=(get("PORTAL_ALLOW_PRIVATE_WEBHOOKS") or "").lower()
        in ("1", "true", "yes", "on"),
        worker_heartbeat=_number(get("PORTAL_WORKER_HEARTBEAT"), 10.0, "PORTAL_WORKER_HEARTBEAT"),
    )


def _number(value: str | None, default: float, name: str) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}.") from None
    if number <= 0:
        raise ValueError(f"{name} must be above 0.")
    return number


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
