"""The driver's libprocess process, as tests/e2e/native_client.py speaks the protocol: the
process `scheduler-<uuid>@<ip>:<port>` is an HTTP server to which other processes POST
`/<process id>/<message name>` with the protobuf body (sized or chunked) and their own name in
`Libprocess-From`; it sends the same way, a POST to `http://<host>:<port>/<their id>/<name>`."""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

log = logging.getLogger("mesos.native")


@functools.lru_cache(maxsize=None)
def upid(text: str) -> str:
    """`id@host:port` with the host resolved to an IP, so two names of one process compare equal
    (libprocess compares UPIDs by address)."""
    pid, _, address = text.partition("@")
    host, _, port = address.rpartition(":")
    try:
        host = socket.gethostbyname(host)
    except OSError:
        pass
    return f"{pid}@{host}:{port}"


class Process:
    """`deliver(name, body, sender)` is called on the server's thread for each message; it must
    not block. Bound to LIBPROCESS_IP / LIBPROCESS_PORT as libprocess is (default 127.0.0.1 and
    any port: the e2e suite runs on loopback)."""

    def __init__(self, deliver):
        self.id = f"scheduler-{uuid.uuid4()}"
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._session = requests.Session()  # one kept-alive connection per peer, as libprocess
        outer = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive: a peer writes all its messages to this process on one connection.
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with outer._lock:
                    outer._connections.add(self.connection)

            def finish(self):
                with outer._lock:
                    outer._connections.discard(self.connection)
                super().finish()

            def do_POST(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while size := int(self.rfile.readline().strip(), 16):
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                agent = self.headers.get("User-Agent", "")
                sender = self.headers.get("Libprocess-From") or (
                    agent[len("libprocess/"):] if agent.startswith("libprocess/") else None)
                prefix = f"/{outer.id}/"
                ok = self.path.startswith(prefix) and sender is not None
                self.send_response(202 if ok else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if ok:
                    deliver(self.path[len(prefix):], body, sender)

            def log_message(self, *args):
                pass

        ip = os.environ.get("LIBPROCESS_IP", "127.0.0.1")
        self.server = ThreadingHTTPServer((ip, int(os.environ.get("LIBPROCESS_PORT", 0))), Handler)
        self.server.daemon_threads = True
        self.pid = f"{self.id}@{ip}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name=self.id, daemon=True).start()

    def send(self, to: str, message) -> None:
        """Sends a protobuf message, named by its full protobuf name, to the process `to`. As in
        libprocess, a message that cannot be delivered is dropped (here with a log line)."""
        name = message.DESCRIPTOR.full_name
        receiver, _, address = to.partition("@")
        try:
            self._session.post(f"http://{address}/{receiver}/{name}", data=message.SerializePartialToString(),
                               headers={"Libprocess-From": self.pid}, timeout=10)
        except requests.RequestException as error:
            log.warning("Dropped %s to %s: %s", name, to, error)

    def close(self) -> None:
        """Stops serving and breaks the connections peers hold to it, as the exit of a driver's
        process does (the master takes a broken link for a disconnected framework)."""
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._session.close()
