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
    public_url: str = "http://localhost:8501"

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
        public_url=(get("PORTAL_PUBLIC_URL") or "http://localhost:8501").rstrip("/"),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
