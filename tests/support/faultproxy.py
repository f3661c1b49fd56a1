"""A small loopback HTTP proxy, in a thread, in front of the real udata, that injects faults.

Real faults, not mocks: the client talks HTTP to this proxy, which forwards to the real server
unless a rule says otherwise. Rules fire on the n-th request matching (method, path substring):
- "500": answer 500 without forwarding;       - "500-after": forward, then answer 500 anyway;
- "429": answer 429 with Retry-After (seconds; "429-date": an HTTP date);          - "reset-upload": read part of the body, then RST;
- "reset-after": forward, then RST (the answer is lost although the server did the work);
- "stall": neither forward nor answer for `seconds` (the client times out), then close;
- "corrupt": forward with the bytes `old` replaced by `new` in the body (damage in transit).
`on_request` runs a callback after forwarding the n-th request (used to kill the publishing
process at a precise point).
"""
from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from email.utils import formatdate
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

HOP_HEADERS = {"host", "connection", "keep-alive", "transfer-encoding", "proxy-connection", "content-length"}


@dataclass
class Rule:
    kind: str
    nth: int
    path: str = ""
    method: str = ""
    seconds: float = 1.0
    old: bytes = b""
    new: bytes = b""
    seen: int = 0
    fired: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and self.path in path


@dataclass
class Seen:
    number: int
    method: str
    path: str
    outcome: str


@dataclass
class ProxyState:
    upstream: tuple[str, int]
    rules: list[Rule] = field(default_factory=list)
    hooks: list[tuple[int, Callable[[int, str, str], None]]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    state: ProxyState  # set on the subclass built per proxy

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
        return

    def _rule(self) -> tuple[int, Rule | None]:
        with self.state.lock:
            number = len(self.state.seen) + 1
            self.state.seen.append(Seen(number, self.command, self.path, "forwarded"))
            chosen = None
            for rule in self.state.rules:
                if not rule.fired and rule.matches(self.command, self.path):
                    rule.seen += 1
                    if rule.seen == rule.nth and chosen is None:
                        chosen = rule
            if chosen is not None:
                chosen.fired = True
                self.state.seen[-1].outcome = chosen.kind
            return number, chosen

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _body(self, limit: int | None = None) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length if limit is None else min(length, limit))

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(*self.state.upstream, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            headers["Host"] = f"{self.state.upstream[0]}:{self.state.upstream[1]}"
            headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS], response.read()
        finally:
            conn.close()

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        try:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client is gone (killed or timed out)

    def _handle(self) -> None:
        number, rule = self._rule()
        kind = rule.kind if rule else ""
        if kind == "reset-upload":
            self._body(limit=max(1, int(self.headers.get("Content-Length") or 2) // 2))
            return self._reset()
        body = self._body()
        if kind == "500":
            return self._answer(500, [("Content-Type", "application/json")], b'{"message": "panne injectee"}')
        if kind == "429":
            return self._answer(429, [("Retry-After", str(int(rule.seconds)))], b"")  # type: ignore[union-attr]
        if kind == "429-date":  # the other form of Retry-After: an HTTP date
            when = formatdate(time.time() + rule.seconds, usegmt=True)  # type: ignore[union-attr]
            return self._answer(429, [("Retry-After", when)], b"")
        if kind == "stall":
            time.sleep(rule.seconds)  # type: ignore[union-attr]
            return self._reset()
        if kind == "corrupt":
            body = body.replace(rule.old, rule.new, 1)  # type: ignore[union-attr]
        status, headers, payload = self._forward(body)
        for nth, hook in self.state.hooks:
            if nth == number:
                hook(number, self.command, self.path)
        if kind == "reset-after":
            return self._reset()
        if kind == "500-after":
            return self._answer(500, [("Content-Type", "application/json")], b'{"message": "panne injectee"}')
        return self._answer(status, headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class FaultProxy:
    """`with FaultProxy("127.0.0.1", port) as proxy:` then point the client at `proxy.api_url`."""

    def __init__(self, host: str, port: int) -> None:
        self.state = ProxyState(upstream=(host, port))
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.url + "/api/1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, kind: str, nth: int = 1, path: str = "", method: str = "", seconds: float = 1.0,
             old: bytes = b"", new: bytes = b"") -> Rule:
        rule = Rule(kind, nth, path, method, seconds, old, new)
        with self.state.lock:
            self.state.rules.append(rule)
        return rule

    def on_request(self, nth: int, hook: Callable[[int, str, str], None]) -> None:
        self.state.hooks.append((nth, hook))

    def clear(self) -> None:
        with self.state.lock:
            self.state.rules.clear()
            self.state.hooks.clear()

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)
