"""A local stand-in for Supabase Storage's HTTP API, which tests cannot reach: the real
`supabase` package (storage3) speaks real HTTP to it. It answers exactly what
`portal.storage.SupabaseStore` asks (list and create buckets, upload, authenticated download,
remove), with Storage's paths, status codes and error bodies, keeps objects in memory, and
refuses any key but the service key it was given. The `supabase_storage` fixture
(tests/db/conftest.py) starts one and points the portal at it."""

from __future__ import annotations

import json
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

PREFIX = "/storage/v1/"


class FakeStorage(BaseHTTPRequestHandler):
    service_key = ""
    buckets: dict[str, dict] = {}  # id -> bucket
    objects: dict[tuple[str, str], tuple[bytes, str]] = {}  # (bucket, key) -> (data, content type)
    requests: list[tuple[str, str]] = []  # (method, path), in order
    fail_with: int | None = None  # answer every request with this status (an outage)

    def log_message(self, *args):  # keep test output quiet
        pass

    # --- the routes ----------------------------------------------------------------------

    def do_GET(self):  # noqa: N802 - http.server's naming
        if (route := self._route()) is None:
            return
        if route == ["bucket"]:
            return self._reply(200, list(self.buckets.values()))
        if route[:1] == ["object"] and len(route) >= 3:
            found = self.objects.get((route[1], "/".join(route[2:])))
            if found is None:
                return self._error(400, "404", "not_found", "Object not found")
            return self._reply(200, found[0], found[1])
        self._error(404, "404", "not_found", "Route not found")

    def do_POST(self):  # noqa: N802 - http.server's naming
        if (route := self._route()) is None:
            return
        if route == ["bucket"]:
            body = json.loads(self._body() or b"{}")
            if body["id"] in self.buckets:
                return self._error(400, "409", "Duplicate", "The resource already exists")
            self.buckets[body["id"]] = {
                "id": body["id"], "name": body.get("name") or body["id"], "owner": "",
                "public": bool(body.get("public")), "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z", "file_size_limit": None,
                "allowed_mime_types": None, "type": "STANDARD"}
            return self._reply(200, {"name": body["id"]})
        if route[:1] == ["object"] and len(route) >= 3:
            return self._upload(route[1], "/".join(route[2:]))
        self._error(404, "404", "not_found", "Route not found")

    def do_DELETE(self):  # noqa: N802 - http.server's naming
        if (route := self._route()) is None:
            return
        if route[:1] == ["object"] and len(route) == 2:
            bucket = route[1]
            removed = []
            for key in json.loads(self._body() or b"{}").get("prefixes", []):
                if self.objects.pop((bucket, key), None) is not None:
                    removed.append({"name": key, "bucket_id": bucket, "id": str(uuid.uuid4())})
            return self._reply(200, removed)
        self._error(404, "404", "not_found", "Route not found")

    # --- what every request goes through --------------------------------------------------

    def _route(self) -> list[str] | None:
        """The path after /storage/v1/ in parts, or None once refused (an outage, a wrong key,
        a path that is not Storage's)."""
        path = urlsplit(self.path).path
        FakeStorage.requests.append((self.command, path))
        if self.fail_with:
            self._body()
            self._error(self.fail_with, str(self.fail_with), "InternalError", "Internal Server Error")
            return None
        if self.headers.get("Authorization") != f"Bearer {self.service_key}":
            self._body()
            self._error(403, "403", "Unauthorized", "invalid signature")
            return None
        if not path.startswith(PREFIX):
            self._error(404, "404", "not_found", "Route not found")
            return None
        return [unquote(part) for part in path.removeprefix(PREFIX).split("/")]

    def _upload(self, bucket: str, key: str):
        if bucket not in self.buckets:
            return self._error(400, "404", "Bucket not found", "Bucket not found")
        form = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + self._body())
        if not form.is_multipart():
            return self._error(400, "400", "InvalidRequest", "expected a multipart form")
        files = [part for part in form.iter_parts()
                 if part.get_param("name", header="content-disposition") == "file"]
        if len(files) != 1:
            return self._error(400, "400", "InvalidRequest", "expected one file")
        upsert = self.headers.get("x-upsert", "false") == "true"
        if (bucket, key) in self.objects and not upsert:
            return self._error(400, "409", "Duplicate", "The resource already exists")
        self.objects[(bucket, key)] = (files[0].get_payload(decode=True), files[0].get_content_type())
        self._reply(200, {"Id": str(uuid.uuid4()), "Key": f"{bucket}/{key}"})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _error(self, status: int, code: str, error: str, message: str):
        self._reply(status, {"statusCode": code, "error": error, "message": message})

    def _reply(self, status: int, payload, content_type: str = "application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
