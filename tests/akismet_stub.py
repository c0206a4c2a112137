"""A stand-in Akismet server on 127.0.0.1 that the real client talks to over HTTP.

By default it judges like Akismet's test values: author `akismet-guaranteed-spam` (or that
e-mail) is spam, author `akismet-guaranteed-discard` is spam with the discard pro-tip,
`user_role=administrator` is ham, anything else ham. Set `server.mode` to make it
misbehave: "slow" (sleeps past the client's timeout), "500", "invalid" (bad key), "garbage",
"drop" (closes the connection). `refused_url` is an address where nothing listens.

`fail_rate` (0 by default) makes that share of calls fail whatever the mode, evenly spread
and deterministic (0.2: the 5th, 10th, 15th… call), in the way `fail_mode` says: "500"
(the default) or "slow" (no answer for `fail_slow_seconds`, past the client's timeout).
`GET /stats` answers the calls made and the failures injected, as JSON (the soak reads it).
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SUBMIT_THANKS = "Thanks for making the web a better place."


class AkismetStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.requests = []
        self.mode = "normal"
        self.slow_seconds = 1.0
        self.fail_rate = 0.0
        self.fail_mode = "500"
        self.fail_slow_seconds = 10.0
        self.calls_made = 0
        self.failures_injected = 0
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
            self.calls_made = self.failures_injected = 0
        self.mode = "normal"
        self.fail_rate = 0.0
        self.fail_mode = "500"

    def count_call(self):
        """Count a call; True if it is one of the `fail_rate` share to fail."""
        with self.lock:
            self.calls_made += 1
            n, rate = self.calls_made, self.fail_rate
            fail = rate > 0 and int(n * rate + 1e-9) > int((n - 1) * rate + 1e-9)
            self.failures_injected += fail
            return fail

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

    def do_GET(self):
        server = self.server
        if self.path != "/stats":
            return self._send(404, "not found")
        with server.lock:
            stats = {"calls": server.calls_made, "failures_injected": server.failures_injected}
        return self._send(200, json.dumps(stats))

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
        if server.count_call():
            if server.fail_mode == "slow":
                time.sleep(server.fail_slow_seconds)  # past the client's timeout
            else:
                mode = server.fail_mode
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    # A stand-in for trying the site offline:
    #   python -m tests.akismet_stub [PORT [DELAY [FAIL_RATE [FAIL_MODE]]]]
    # DELAY (seconds) makes every answer wait that long, like a distant Akismet (the bench);
    # FAIL_RATE (0.2: every 5th call) fails calls as FAIL_MODE says ("500", or "slow": the
    # answer waits 10 s, past the client's timeout) — the soak.
    import sys

    stub = AkismetStub(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8099)
    if len(sys.argv) > 2:
        stub.mode, stub.slow_seconds = "slow", float(sys.argv[2])
    if len(sys.argv) > 3:
        stub.fail_rate = float(sys.argv[3])
    if len(sys.argv) > 4:
        stub.fail_mode = sys.argv[4]
    print(f"Akismet stand-in on {stub.url}/ (Ctrl-C stops it)", flush=True)
    stub.serve_forever()
