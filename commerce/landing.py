"""The front door: `GET /` tells a newcomer what is running and where to go (plain HTML, no
script), and `/storefront/...` serves the repository's demo storefront pages (`storefront/`:
index.html with drop-in.js, checkout.html with the SDK and js-auth, and the Commerce Layer
libraries `npm ci` installs beside them), nothing outside that directory."""

import json
import shlex
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from commerce.models import ApiClient

STOREFRONT_DIR = Path(settings.BASE_DIR) / "storefront"

# demo.md's API clients (demo/data.py API_CLIENTS, which the kernel may not import). Only the
# demo integration's secret is shown, as `make run` prints it, and only with DEBUG on: the
# demo data refuses to load with DEBUG off (seed_demo).
DEMO_CLIENTS = {
    "demo-integration": {"secret": "demo-integration-secret"},
    "demo-sc-usa": {},
    "demo-sc-eu": {},
}

# Module scripts need a JavaScript media type (and nosniff is on): not left to `mimetypes`.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


def version() -> str:
    try:
        return metadata.version("commerce-backend")
    except metadata.PackageNotFoundError:
        return settings.SPECTACULAR_SETTINGS["VERSION"]


def demo_clients() -> list[dict]:
    """The demo API clients present in the database (one query), in demo.md's order."""
    found = dict(
        ApiClient.objects.filter(application__client_id__in=DEMO_CLIENTS).values_list(
            "application__client_id", "scope"
        )
    )
    clients = []
    for client_id, extra in DEMO_CLIENTS.items():
        if client_id not in found:
            continue
        secret = extra.get("secret") if settings.DEBUG else None
        clients.append({"client_id": client_id, "scope": found[client_id], "secret": secret})
    return clients


def token_curl(base: str, client: dict | None) -> str:
    """A copyable token request for a sales channel (or a placeholder client)."""
    body = {"grant_type": "client_credentials"}
    if client is None:
        body.update(client_id="<client_id>", client_secret="<client_secret>")
    else:
        body["client_id"] = client["client_id"]
        if client["scope"]:
            body["scope"] = client["scope"]
    return (
        f"curl -s {base}/oauth/token -H 'Content-Type: application/json' "
        f"-d {shlex.quote(json.dumps(body, separators=(',', ':')))}"
    )


@require_safe
def landing(request):
    base = request.build_absolute_uri("/").rstrip("/")
    clients = demo_clients()
    sales_channel = next((c for c in clients if c["scope"].startswith("market:")), None)
    context = {
        "name": "Commerce backend",
        "version": version(),
        "organization": settings.ORGANIZATION_NAME,
        "slug": settings.ORGANIZATION_SLUG,
        "api_domain": settings.API_DOMAIN,
        "debug": settings.DEBUG,
        "base": base,
        "clients": clients,
        "curl": token_curl(base, sales_channel),
        "libraries_installed": (STOREFRONT_DIR / "node_modules" / "@commercelayer").is_dir(),
        "storefront_pages": [
            name for name in ("index.html", "checkout.html") if (STOREFRONT_DIR / name).is_file()
        ],
    }
    return render(request, "commerce/landing.html", context)


def storefront_file(relative: str) -> Path:
    """The file of `storefront/` that `relative` names; Http404 for anything else: a path
    leaving the directory (`..`, a link pointing out), a hidden file, a directory, nothing."""
    root = STOREFRONT_DIR.resolve()
    parts = Path(relative).parts
    if any(part.startswith(".") for part in parts) or "\x00" in relative:
        raise Http404("No such storefront file.")
    try:
        candidate = (root / relative).resolve()
    except (OSError, RuntimeError, ValueError):
        raise Http404("No such storefront file.") from None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise Http404("No such storefront file.")
    return candidate


@require_safe
def storefront(request, path: str = "index.html"):
    """The demo storefront's files, for `make run`'s same-origin demo (storefront/index.html)."""
    if path == "" or path.endswith("/"):
        path += "index.html"
    file = storefront_file(path)
    content_type = CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")
    response = FileResponse(file.open("rb"), content_type=content_type)
    # The pages change with the repository; the browser asks again rather than run stale code.
    response["Cache-Control"] = "no-cache"
    return response
