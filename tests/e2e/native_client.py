"""A scheduler that speaks the native driver protocol (libprocess messages), written from the
protocol as libmesos's MesosSchedulerDriver speaks it: it is a libprocess process
`scheduler(1)@127.0.0.1:<port>` with its own HTTP server; messages to the master are POSTs to
`/master/<message name>` carrying `Libprocess-From`, and the master's messages arrive as POSTs
to `/scheduler(1)/<message name>`. Bodies are protobuf, with classes generated from Protos/."""
from __future__ import annotations

import importlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from protobuf_client import protos

_internal = None


def internal():
    """The mesos.internal messages module (generated with the others by protos())."""
    global _internal
    if _internal is None:
        protos()
        _internal = importlib.import_module("mesos.internal.messages_pb2")
    return _internal


class NativeScheduler:
    def __init__(self, master_addr: str, name: str = "native-e2e", process_id: str = "scheduler(1)"):
        self.pb = protos()
        self.msg = internal()
        self.master_addr = master_addr
        self.process_id = process_id
        self.cond = threading.Condition()
        self.received: list[tuple[str, object]] = []   # (message name, parsed message)
        self.raw: list[tuple[str, bytes, str]] = []   # (message name, body, Libprocess-From)
        self.info = self.pb.mesos.FrameworkInfo(user="", name=name, hostname="localhost")
        self.framework_id: str | None = None
        self.taken: set[str] = set()
        self.connections: set = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive: libprocess writes every message to a peer on one connection, back to
            # back, without waiting for the answers.
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                outer.connections.add(self.connection)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(length)
                prefix = f"/{outer.process_id}/"
                ok = self.path.startswith(prefix) and "Libprocess-From" in self.headers
                self.send_response(202 if ok else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if ok:
                    outer._deliver(self.path[len(prefix):], body, self.headers["Libprocess-From"])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.pid = f"{process_id}@127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _deliver(self, name: str, body: bytes, sender: str):
        short = name.rsplit(".", 1)[-1]
        cls = getattr(self.msg, short, None)
        parsed = None
        if cls is not None:
            parsed = cls()
            parsed.ParseFromString(body)
        with self.cond:
            self.raw.append((name, body, sender))
            self.received.append((short, parsed))
            self.cond.notify_all()

    def close(self):
        """Ends the process as an exit would: the listening socket and every link to it close."""
        self.server.shutdown()
        self.server.server_close()
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- sending
    def send(self, name: str, message) -> requests.Response:
        return requests.post(f"http://{self.master_addr}/master/{name}", data=message.SerializeToString(),
                             headers={"Libprocess-From": self.pid}, timeout=10)

    def call(self, kind: str, **fill):
        call = self.pb.scheduler.Call(type=self.pb.scheduler.Call.Type.Value(kind))
        if self.framework_id:
            call.framework_id.value = self.framework_id
        return call

    def send_call(self, call) -> requests.Response:
        return self.send("mesos.scheduler.Call", call)

    def subscribe(self, framework_id: str | None = None, force: bool = False) -> requests.Response:
        """SUBSCRIBE as a driver sends it. With a framework ID it is v0's shape, whose `force`
        (field 2 of Subscribe) a driver sets when it takes the framework over."""
        if not framework_id:
            call = self.call("SUBSCRIBE")
            call.subscribe.framework_info.CopyFrom(self.info)
            return self.send_call(call)
        call = self.msg.V0SchedulerCallHead(type=self.pb.scheduler.Call.Type.Value("SUBSCRIBE"))
        call.framework_id.value = framework_id
        call.subscribe.framework_info.CopyFrom(self.info)
        call.subscribe.framework_info.id.value = framework_id
        call.subscribe.force = force
        return self.send("mesos.scheduler.Call", call)

    def register(self, framework_id: str | None = None, timeout: float = 20):
        """Registers, or with a framework ID takes that framework over (`force`), as a driver
        given an ID does."""
        r = self.subscribe(framework_id, force=bool(framework_id))
        assert r.status_code == 202, (r.status_code, r.text)
        # A driver that takes over a framework from elsewhere is told FrameworkRegisteredMessage,
        # as Mesos tells it (MESOS-786); only one that comes back from the same pid is re-registered.
        registered = self.wait("FrameworkRegisteredMessage", timeout=timeout)
        self.framework_id = registered.framework_id.value
        return registered

    # -- waiting
    def wait(self, kind: str, where=lambda m: True, timeout: float = 20):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for name, message in self.received:
                    if name == kind and where(message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind} within {timeout}s; got {[n for n, _ in self.received]}")
                self.cond.wait(left)

    def take_offer(self, timeout: float = 20):
        def fresh(m):
            return any(o.id.value not in self.taken for o in m.offers)
        message = self.wait("ResourceOffersMessage", fresh, timeout)
        index, offer = next((i, o) for i, o in enumerate(message.offers) if o.id.value not in self.taken)
        self.taken.add(offer.id.value)
        return offer, message.pids[index]

    def wait_update(self, task_id: str, state: str, timeout: float = 30):
        want = self.pb.mesos.TaskState.Value(state)
        return self.wait("StatusUpdateMessage", lambda m: m.update.status.task_id.value == task_id
                         and m.update.status.state == want, timeout)

    # -- calls as the driver makes them
    def launch(self, offer, task_id: str, command: str):
        call = self.call("ACCEPT")
        call.accept.offer_ids.add().value = offer.id.value
        operation = call.accept.operations.add(type=self.pb.mesos.Offer.Operation.Type.Value("LAUNCH"))
        task = operation.launch.task_infos.add(name=task_id)
        task.task_id.value = task_id
        task.agent_id.value = offer.agent_id.value
        task.command.value = command
        for name, value in (("cpus", 0.1), ("mem", 32)):
            resource = task.resources.add(name=name, type=self.pb.mesos.Value.Type.Value("SCALAR"))
            resource.scalar.value = value
        return self.send_call(call)

    def acknowledge(self, message):
        update = message.update
        call = self.call("ACKNOWLEDGE")
        call.acknowledge.agent_id.value = update.slave_id.value
        call.acknowledge.task_id.value = update.status.task_id.value
        call.acknowledge.uuid = update.uuid
        return self.send_call(call)

    def wait_acknowledging(self, task_id: str, state: str, timeout: float = 30):
        """Acknowledges each update of the task, as the driver does, until it reaches `state`."""
        want = self.pb.mesos.TaskState.Value(state)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            with self.cond:
                updates = [m for n, m in self.received if n == "StatusUpdateMessage"
                           and m.update.status.task_id.value == task_id]
            for message in updates[seen:]:
                if message.update.uuid:
                    self.acknowledge(message)
                if message.update.status.state == want:
                    return message
            seen = len(updates)
            if time.monotonic() > deadline:
                raise AssertionError(f"{task_id} never reached {state}")
            with self.cond:
                self.cond.wait(0.2)
