"""A webhook receiver on loopback, fast delivery settings, and a worker run in-process."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from commerce.webhooks import ssrf
from commerce.webhooks.models import Delivery, Webhook

PUBLIC_IP = "93.184.216.34"


class Receiver:
    """Records every POST; `statuses(n)` answers the n-th (1-based). Processing is idempotent
    on `webhook-id`, as the docs ask of receivers: `processed` holds each message once."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.processed: dict[str, dict] = {}
        self.statuses = lambda n: 200
        self.hold: threading.Event | None = None  # set: answer; unset: keep the caller waiting
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, headers: dict, body: bytes) -> int:
        with self.lock:
            self.requests.append((headers, body))
            n = len(self.requests)
        self.arrived.set()
        if self.hold is not None:
            self.hold.wait(5)
        status = self.statuses(n)
        if 200 <= status < 300:
            with self.lock:
                self.processed.setdefault(headers["webhook-id"], json.loads(body))
        return status


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = state.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks?src=test"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def dns(monkeypatch):
    """Stand-in DNS: host name -> address; IP literals resolve to themselves."""
    table = {}

    def resolve(host, port):
        address = table.get(host, host)
        try:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            socket.inet_pton(family, address)
        except OSError:
            raise socket.gaierror(f"unknown host {host}") from None
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(ssrf, "resolve", resolve)
    return table


@pytest.fixture
def fast_webhooks(settings):
    """Retries, leases and sweeps in tenths of seconds; loopback receivers allowed."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.WEBHOOK_RETRY_MAX_SECONDS = 0.4
    settings.WEBHOOK_MAX_ATTEMPTS = 10
    settings.WEBHOOK_CIRCUIT_THRESHOLD = 3
    settings.WEBHOOK_LEASE_SECONDS = 0.3
    settings.WEBHOOK_SWEEP_GRACE_SECONDS = 0
    return settings


def committed():
    """In a test's transaction, the end of this block stands for a commit: what the block
    registered with on_commit runs then (a block rolled back inside it registered nothing)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def run_worker() -> int:
    """django-tasks-db's worker, in process: claims each ready task as `db_worker` does and runs
    it with the worker's own `run_task`, until none is ready. (`Worker.run` would close the
    connection a test transaction holds.) Returns how many tasks ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with committed():
            with transaction.atomic():
                task_result = DBTaskResult.objects.ready().get_locked()
                if task_result is not None:
                    task_result.claim(worker.worker_id)
            if task_result is None:
                return ran
            worker.run_task(task_result)
            ran += 1


def drain(seconds: float = 5) -> None:
    """Run the worker until no delivery of a sending webhook is pending (retries included)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_worker()
        pending = Delivery.objects.filter(
            status=Delivery.PENDING,
            webhook__disabled_at__isnull=True,
            webhook__circuit_state=Webhook.CLOSED,
        )
        if not pending.exists():
            return
        due = pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True)[0]
        time.sleep(min(max((due - timezone.now()).total_seconds(), 0.01), 0.1))
