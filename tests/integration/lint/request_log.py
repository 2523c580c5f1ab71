"""An HTTP proxy in front of moto that writes down every request on its way: the proof that verification
sent nothing to a bucket it does not trust.

Point ``AWS_ENDPOINT_URL_S3`` at :attr:`RequestLog.url`; the project's S3 adapter addresses buckets by path
(``/<bucket>/<key>``) on a custom endpoint, so :meth:`RequestLog.buckets` names every bucket asked.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class RequestLog:
    def __init__(self, target: str) -> None:
        self.target = urlsplit(target)
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.url = ""

    def buckets(self) -> set[str]:
        """Every bucket a request named (the first path segment)."""
        with self._lock:
            return {path.lstrip("/").split("/", 1)[0].split("?", 1)[0] for _, path in self.requests} - {""}

    def to_bucket(self, bucket: str) -> list[tuple[str, str]]:
        with self._lock:
            return [
                (m, p) for m, p in self.requests if p.lstrip("/").split("/", 1)[0].split("?")[0] == bucket
            ]

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    @contextmanager
    def running(self) -> Iterator[RequestLog]:
        log = self

        class Forward(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                log._record(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(log.target.hostname, log.target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Host"] = self.headers.get("Host", "")
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                size = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", size or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


@contextmanager
def logged_s3(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RequestLog]:
    """S3 requests of this process (through ``AWS_ENDPOINT_URL_S3``) pass the log on their way to moto."""
    with RequestLog(moto_url).running() as log:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", log.url)
        yield log
