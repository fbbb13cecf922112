"""Stand-ins on 127.0.0.1 for the servers reminders go to (`projects notify --send`): a chat robot's webhook
and an SMTP server. Nothing a test sends ever leaves the machine."""

from __future__ import annotations

import json


class Robot:
    """A webhook on 127.0.0.1 that records every POST (path with its query, JSON body); the first
    `fail_first` requests (all, when `always_fail`) get HTTP 500."""

    def __init__(self, fail_first: int = 0, always_fail: bool = False, errcode: int = 0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        robot = self
        self.posts: list[tuple[str, dict]] = []
        self.fail_first, self.always_fail = fail_first, always_fail

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.posts.append((self.path, body))
                if robot.always_fail or len(robot.posts) <= robot.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = json.dumps({"errcode": errcode, "errmsg": "ok" if not errcode else "token is invalid"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder) -> tuple[str, str]:
    """(certificate, key) files of a certificate for 127.0.0.1 signed by itself, made with openssl now."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("openssl") is None:
        pytest.skip("the TLS tests make their certificate with openssl")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class Mailbox:
    """A minimal SMTP responder on 127.0.0.1 (socketserver): EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT; keeps
    each message and each login. `tls`: "ssl" (TLS from the first byte) or "starttls" (plain until STARTTLS),
    with the `certificate` (cert, key) given; `secured` records, per message, whether it came over TLS."""

    def __init__(self, tls: str | None = None, certificate: tuple[str, str] | None = None):
        import socketserver
        import ssl
        import threading

        box = self
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []  # each AUTH line as received
        self.secured: list[bool] = []
        context = None
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)

        class Handler(socketserver.StreamRequestHandler):
            def setup(self):
                self.tls = False
                if tls == "ssl":
                    self.request = context.wrap_socket(self.request, server_side=True)
                    self.tls = True
                super().setup()

            def handle(self):
                try:
                    self.talk()
                except (OSError, ssl.SSLError):  # a client that gave up on the certificate
                    pass

            def talk(self):
                send = lambda text: self.wfile.write(text.encode() + b"\r\n")  # noqa: E731
                send("220 127.0.0.1 stand-in")
                sender, rcpt = "", []
                while line := self.rfile.readline():
                    verb = line.decode().strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        send("250-127.0.0.1")
                        if tls == "starttls" and not self.tls:
                            send("250-STARTTLS")
                        send("250 AUTH PLAIN")
                    elif verb == "STARTTLS" and tls == "starttls":
                        send("220 ready")
                        self.connection = context.wrap_socket(self.connection, server_side=True)
                        self.rfile = self.connection.makefile("rb")
                        self.wfile = socketserver._SocketWriter(self.connection)
                        self.tls = True
                    elif verb == "AUTH":
                        box.logins.append(line.decode().strip())
                        send("235 2.7.0 accepted")
                    elif verb == "MAIL":
                        sender = line.decode().strip()[10:].strip("<>")
                        send("250 OK")
                    elif verb == "RCPT":
                        rcpt.append(line.decode().strip()[8:].strip("<>"))
                        send("250 OK")
                    elif verb == "DATA":
                        send("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) != b".\r\n":
                            data += chunk
                        box.messages.append((sender, rcpt, data))
                        box.secured.append(self.tls)
                        send("250 queued")
                    elif verb == "QUIT":
                        send("221 bye")
                        return
                    else:
                        send("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
