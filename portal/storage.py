"""Where résumés are kept: under the data folder (embedded mode, readable by the server's
user only) or in a private Supabase Storage bucket (Supabase mode). Never anywhere that
serves files to the web; recruiters get them through the portal."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from portal.errors import UserFacingError
from portal.settings import Settings, settings

_log = logging.getLogger("boomerang.storage")


class StorageUnavailable(UserFacingError):
    """The résumé store did not do what was asked (down, refusing, misconfigured). The
    message is for users; what went wrong is in the server's log, never the key or URL."""


class ResumeStore(Protocol):
    def save(self, data: bytes, extension: str, content_type: str) -> str: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


def _new_key(extension: str) -> str:
    # The key is ours, never the uploaded file's name: no paths, no guessing.
    return f"{uuid.uuid4().hex}.{extension}"


class LocalStore:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if path.parent != self.root.resolve():
            raise ValueError("not a résumé key")
        return path

    def save(self, data: bytes, extension: str, content_type: str) -> str:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = _new_key(extension)
        descriptor = os.open(self._path(key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


@contextmanager
def _answering(doing: str) -> Iterator[None]:
    """Storage's failures as StorageUnavailable (a user-facing message saying what could not
    be done) and a missing object as FileNotFoundError, as LocalStore raises."""
    from httpx import HTTPError
    from storage3.exceptions import StorageApiError, StorageException

    try:
        yield
    except StorageApiError as error:
        if str(error.status) == "404":
            raise FileNotFoundError(doing) from error
        _log.error("Supabase Storage refused to %s: %s %s", doing, error.status, error.code)
        raise StorageUnavailable(_UNAVAILABLE.format(doing=doing)) from error
    except (StorageException, HTTPError) as error:
        _log.error("Supabase Storage did not answer (%s): %s", doing, type(error).__name__)
        raise StorageUnavailable(_UNAVAILABLE.format(doing=doing)) from error


_UNAVAILABLE = ("The file store did not answer, so we could not {doing} and nothing was "
                "changed. Please try again in a few minutes.")


def discard(store: ResumeStore, key: str) -> None:
    """Delete an upload that nothing refers to (its application or referral was not saved),
    after the failure that left it: its own failure is logged with the key, for an operator
    to delete the file, and never replaces the error the user must see."""
    try:
        store.delete(key)
    except (StorageUnavailable, OSError):
        _log.error("Could not delete the unused résumé file %s; delete it by hand", key)


class SupabaseStore:
    """A private bucket, written with the service key (uploads come from the server only).
    Its failures raise StorageUnavailable, a missing file FileNotFoundError."""

    def __init__(self, url: str, service_key: str, bucket: str):
        from supabase import create_client

        self.bucket = bucket
        self._storage = create_client(url, service_key).storage
        self._ready = False

    def _files(self):
        if not self._ready:
            if not any(b.name == self.bucket for b in self._storage.list_buckets()):
                self._storage.create_bucket(self.bucket, options={"public": False})
            self._ready = True
        return self._storage.from_(self.bucket)

    def save(self, data: bytes, extension: str, content_type: str) -> str:
        key = _new_key(extension)
        with _answering("store the résumé"):
            self._files().upload(key, data, {"content-type": content_type, "upsert": "false"})
        return key

    def read(self, key: str) -> bytes:
        with _answering("read the résumé"):
            return self._files().download(key)

    def delete(self, key: str) -> None:
        with _answering("delete the résumé"):
            self._files().remove([key])


def resume_store(config: Settings | None = None) -> ResumeStore:
    config = config or settings()
    if not config.embedded and config.supabase_url and config.supabase_service_key:
        return SupabaseStore(config.supabase_url, config.supabase_service_key, config.resume_bucket)
    return LocalStore(config.data_dir / "resumes")
