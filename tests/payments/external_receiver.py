"""A loopback stand-in for a merchant's external-gateway service (payments.md "External
gateways"): it records every POST (path, headers, JSON body, whether `X-CommerceLayer-Signature`
verifies with `secret`) and answers as scripted per path, by default a success for the amount
asked with a fresh transaction token."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass


@dataclass
class Received:
    path: str
    headers: dict
    body: dict
    signed: bool


class Receiver:
    def __init__(self):
        self.secret = ""
        self.received: list[Received] = []
        self._scripts: dict[str, list] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver._serve(self, raw)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, status: int = 200, body=None, *, delay: float = 0):
        """The next POST to `path` gets `status` and `body` (JSON, or raw bytes), after
        `delay` seconds."""
        with self._lock:
            self._scripts.setdefault(path, []).append((status, body, delay))

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def _serve(self, handler, raw: bytes):
        expected = base64.b64encode(hmac.new(self.secret.encode(), raw, hashlib.sha256).digest())
        signed = hmac.compare_digest(
            expected.decode(), handler.headers.get("X-CommerceLayer-Signature", "")
        )
        body = json.loads(raw)
        with self._lock:
            self.received.append(Received(handler.path, dict(handler.headers), body, signed))
            script = self._scripts.get(handler.path) or []
            scripted = script.pop(0) if script else None
        if scripted is None:
            token = f"tx_{len(self.received)}"
            amount = body["meta"]["amount_cents"]
            status, answer, delay = (
                200,
                {
                    "success": True,
                    "data": {
                        "transaction_token": token,
                        "amount_cents": amount,
                        "metadata": {"psp": "ok"},
                    },
                },
                0,
            )
        else:
            status, answer, delay = scripted
        if delay:
            time.sleep(delay)
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:  # the client gave up (a timeout)
            pass
