"""A stand-in Akismet server on 127.0.0.1 that the real client talks to over HTTP.

By default it judges like Akismet's test values: author `akismet-guaranteed-spam` (or that
e-mail) is spam, author `akismet-guaranteed-discard` is spam with the discard pro-tip,
`user_role=administrator` is ham, anything else ham. Set `server.mode` to make it
misbehave: "slow" (sleeps past the client's timeout), "500", "invalid" (bad key), "garbage",
"drop" (closes the connection). `refused_url` is an address where nothing listens.
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

SUBMIT_THANKS = "Thanks for making the web a better place."


class AkismetStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.requests = []
        self.mode = "normal"
        self.slow_seconds = 1.0
        self.lock = threading.Lock()

    def handle_error(self, request, client_address):
        # "slow" and "drop" leave clients that hung up; their broken pipes are expected.
        pass

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset(self):
        with self.lock:
            self.requests.clear()
        self.mode = "normal"

    def calls(self, endpoint):
        """The parsed bodies of the requests made to `endpoint` (e.g. "comment-check")."""
        with self.lock:
            return [r["data"] for r in self.requests if r["path"].endswith("/" + endpoint)]

    def judge(self, data):
        author = data.get("comment_author", "")
        if data.get("user_role") == "administrator":
            return "false", {}
        if author == "akismet-guaranteed-discard":
            return "true", {"X-akismet-pro-tip": "discard"}
        if "akismet-guaranteed-spam" in (
            author,
            data.get("comment_author_email", "").split("@")[0],
        ):
            return "true", {}
        return "false", {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without it each keep-alive call waits ~40 ms for the delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        data = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw).items()}
        with server.lock:
            server.requests.append(
                {"path": self.path, "data": data, "headers": dict(self.headers.items())}
            )
        mode = server.mode
        if mode == "slow":
            time.sleep(server.slow_seconds)
        if mode == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if mode == "500":
            return self._send(500, "Internal Server Error")
        if mode == "invalid":
            return self._send(200, "invalid", {"X-akismet-debug-help": "Empty API key"})
        if mode == "garbage":
            return self._send(200, "<html>maintenance</html>")
        endpoint = self.path.rsplit("/", 1)[-1]
        if endpoint == "verify-key":
            return self._send(200, "valid" if data.get("key") else "invalid")
        if endpoint in ("submit-spam", "submit-ham"):
            return self._send(200, SUBMIT_THANKS)
        if endpoint == "comment-check":
            body, headers = server.judge(data)
            headers["X-akismet-guid"] = f"guid-{len(server.requests)}"
            return self._send(200, body, headers)
        return self._send(404, "not found")

    def _send(self, status, body, headers=None):
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _akismet_stub():
    server = AkismetStub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.refused_url = f"http://127.0.0.1:{_free_port()}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def akismet_server(_akismet_stub, settings):
    """The stand-in, reset, with the settings pointing the real client at it."""
    _akismet_stub.reset()
    settings.AKISMET_API_KEY = "stub-key-123"
    settings.AKISMET_BLOG_URL = "http://testserver"
    settings.AKISMET_API_URL = _akismet_stub.url
    settings.AKISMET_TIMEOUT = 0.3
    settings.AKISMET_IS_TEST = True
    _akismet_stub.slow_seconds = 0.6
    return _akismet_stub


if __name__ == "__main__":
    # A stand-in for trying the site offline: python -m tests.akismet_stub [PORT [DELAY]]
    # DELAY (seconds) makes every answer wait that long, like a distant Akismet (the bench).
    import sys

    stub = AkismetStub(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8099)
    if len(sys.argv) > 2:
        stub.mode, stub.slow_seconds = "slow", float(sys.argv[2])
    print(f"Akismet stand-in on {stub.url}/ (Ctrl-C stops it)", flush=True)
    stub.serve_forever()
