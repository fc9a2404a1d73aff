"""Jobs' files (bulk.md "Exports"): gzipped, stored in the database in FileChunk rows of at most
1 MiB (any app server serves them, no shared disk), linked by a signed URL and streamed back.

- `FileWriter` takes bytes already gzipped (one gzip member per batch of records: concatenated
  members are one valid gzip stream, RFC 1952 section 2.2) and cuts them into chunk rows.
- `signed_url(kind, job, request=None)`: `<base>/api/<kind>/<id>/download?expires=<epoch>&
  signature=<hex>`, HMAC-SHA256 under a key derived from SECRET_KEY, valid
  SIGNED_URL_SECONDS (5 minutes, CL) from the moment it is made: every read of the job makes a
  new one. Imports' `attachment_url` uses it with kind "imports".
- `download`: the view behind that URL. No token (the CLI fetches it bare); an expired or altered
  link is 403 FORBIDDEN in the errors envelope. The body is the gzip file itself:
  `Content-Type: application/gzip` and never a `Content-Encoding` (the CLI gunzips the body; a
  client honouring `Content-Encoding` would inflate it first). No middleware of settings
  compresses answers (no GZipMiddleware); the view sets no encoding either.
"""

import gzip
import hashlib
import hmac
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import StreamingHttpResponse

from bulk.models import Export, FileChunk, Import
from commerce.exceptions import CommerceError, NotFound
from commerce.jsonapi.errors import json_error_response

CHUNK_BYTES = 1024 * 1024  # FileChunk rows hold at most 1 MiB (bulk/models.py)
SIGNED_URL_SECONDS = 5 * 60
# The jobs with files (an import's copy of its inputs, an export's records).
JOB_MODELS = {"exports": Export, "imports": Import}


# --- writing ---------------------------------------------------------------------------------


def gzip_member(data: bytes) -> bytes:
    """One gzip member (mtime 0: the same records give the same bytes)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


class FileWriter:
    """Writes a job's file as FileChunk rows of CHUNK_BYTES (the last one shorter), positions
    0, 1, 2... Holds at most one chunk's bytes plus what one `write` brings."""

    def __init__(self, kind: str, job_id: int):
        self.kind = kind
        self.job_id = job_id
        self.position = 0
        self.buffer = bytearray()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= CHUNK_BYTES:
            self._flush(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]

    def close(self) -> int:
        """Writes what is left; returns the file's size in bytes."""
        if self.buffer or self.position == 0:
            self._flush(bytes(self.buffer))
            self.buffer = bytearray()
        return self.size

    def _flush(self, piece: bytes) -> None:
        FileChunk.objects.create(
            kind=self.kind, job_id=self.job_id, position=self.position, data=piece
        )
        self.position += 1


def delete_file(kind: str, job_id: int) -> None:
    FileChunk.objects.filter(kind=kind, job_id=job_id).delete()


def write_file(kind: str, job_id: int, data: bytes) -> None:
    """A whole (small) file at once, gzipped here: an import's copy of its inputs."""
    delete_file(kind, job_id)
    writer = FileWriter(kind, job_id)
    writer.write(gzip_member(data))
    writer.close()


def read_file(kind: str, job_id: int):
    """The file's bytes, chunk by chunk in order, one row in memory at a time."""
    positions = list(
        FileChunk.objects.filter(kind=kind, job_id=job_id)
        .order_by("position")
        .values_list("position", flat=True)
    )
    for position in positions:
        row = (
            FileChunk.objects.filter(kind=kind, job_id=job_id, position=position)
            .values_list("data", flat=True)
            .first()
        )
        if row is not None:
            yield bytes(row)


# --- signing ---------------------------------------------------------------------------------


def _key() -> bytes:
    # Derived, so that a leaked signature key says nothing of SECRET_KEY's other uses.
    return hmac.new(settings.SECRET_KEY.encode(), b"bulk.files.signed-url", hashlib.sha256).digest()


def signature(kind: str, public_id: str, expires: int) -> str:
    message = f"{kind}/{public_id}/{expires}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def download_path(kind: str, public_id: str) -> str:
    return f"/api/{kind}/{public_id}/download"


def signed_path(kind: str, job, *, now: float | None = None) -> str:
    """The signed download path and query (the admin links it on its own host)."""
    expires = int(now if now is not None else time.time()) + SIGNED_URL_SECONDS
    query = urlencode({"expires": expires, "signature": signature(kind, job.public_id, expires)})
    return f"{download_path(kind, job.public_id)}?{query}"


def signed_url(kind: str, job, request=None, *, now: float | None = None) -> str:
    """An absolute link to the job's file, valid SIGNED_URL_SECONDS from now. The base is the
    request's own (the host the client reached), else WEBHOOK_API_BASE_URL (the public API)."""
    path = signed_path(kind, job, now=now)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WEBHOOK_API_BASE_URL.rstrip("/") + path


def check_signature(kind: str, public_id: str, expires: str, given: str, *, now=None) -> bool:
    if not expires.isdigit() or len(expires) > 12 or not given:
        return False
    expected = signature(kind, public_id, int(expires))
    if not hmac.compare_digest(expected, given):
        return False
    return int(expires) >= int(now if now is not None else time.time())


# --- the download ----------------------------------------------------------------------------


def forbidden() -> CommerceError:
    return CommerceError(
        "The download link is expired or not valid.",
        title="Forbidden",
        code="FORBIDDEN",
        status=403,
    )


def download(request, kind: str, pk: str):
    """GET `/api/<kind>/<id>/download?expires=...&signature=...`: the job's gzipped file."""
    if request.method not in ("GET", "HEAD"):
        return json_error_response(
            CommerceError("Method not allowed", code="METHOD_NOT_ALLOWED", status=405)
        )
    model = JOB_MODELS.get(kind)
    expires = request.GET.get("expires", "")
    given = request.GET.get("signature", "")
    if model is None:
        return json_error_response(NotFound())
    if not check_signature(kind, pk, expires, given):
        return json_error_response(forbidden())
    job = model.objects.filter(public_id=pk).values("id", "format").first()
    if job is None or not FileChunk.objects.filter(kind=kind, job_id=job["id"]).exists():
        return json_error_response(NotFound())
    extension = job["format"] or "json"
    response = StreamingHttpResponse(read_file(kind, job["id"]), content_type="application/gzip")
    response["Content-Disposition"] = f'attachment; filename="{pk}.{extension}.gz"'
    response["Cache-Control"] = "private, no-store"
    return response
