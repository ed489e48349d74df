"""Where résumés are kept: under the data folder (embedded mode, readable by the server's
user only) or in a private Supabase Storage bucket (Supabase mode). Never anywhere that
serves files to the web; recruiters get them through the portal."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Protocol

from portal.settings import Settings, settings


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


class SupabaseStore:
    """A private bucket, written with the service key (uploads come from the server only)."""

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
        self._files().upload(key, data, {"content-type": content_type, "upsert": "false"})
        return key

    def read(self, key: str) -> bytes:
        return self._files().download(key)

    def delete(self, key: str) -> None:
        self._files().remove([key])


def resume_store(config: Settings | None = None) -> ResumeStore:
    config = config or settings()
    if not config.embedded and config.supabase_url and config.supabase_service_key:
        return SupabaseStore(config.supabase_url, config.supabase_service_key, config.resume_bucket)
    return LocalStore(config.data_dir / "resumes")
