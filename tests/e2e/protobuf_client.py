"""Protobuf clients of the v1 APIs, as Mesos's own libraries speak them (application/x-protobuf
bodies, RecordIO streams of binary events). The Python classes are generated at test time from
the project's Protos/ with grpcio-tools, so the tests read the same wire contract the Swift
code was generated from."""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
PROTOBUF = "application/x-protobuf"
_generated: types.SimpleNamespace | None = None


def protos() -> types.SimpleNamespace:
    """mesos, scheduler and executor: the generated modules (compiled once per test run)."""
    global _generated
    if _generated is None:
        import grpc_tools
        from grpc_tools import protoc
        root = REPO / "Protos"
        out = tempfile.mkdtemp(prefix="plinth-protos-")
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*.proto"))
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        rc = protoc.main(["protoc", f"-I{root}", f"-I{include}", f"--python_out={out}", *files])
        assert rc == 0, f"protoc failed on {files}"
        sys.path.insert(0, out)
        _generated = types.SimpleNamespace(
            mesos=importlib.import_module("mesos.v1.mesos_pb2"),
            scheduler=importlib.import_module("mesos.v1.scheduler.scheduler_pb2"),
            executor=importlib.import_module("mesos.v1.executor.executor_pb2"),
        )
    return _generated


def accept_on_executor(pb, call, offer, task_id: str, executor_id: str, executor_name: str, command: str):
    """Fills an ACCEPT call (v1 scheduler Call, whichever edge sends it) with a LAUNCH of one task
    (0.1 cpus, 32 MB) on a custom executor (0.1 cpus, 64 MB) that `command` starts."""
    call.accept.offer_ids.add().value = offer.id.value
    operation = call.accept.operations.add(type=pb.mesos.Offer.Operation.Type.Value("LAUNCH"))
    task = operation.launch.task_infos.add(name=task_id)
    task.task_id.value = task_id
    task.agent_id.value = offer.agent_id.value
    task.executor.executor_id.value = executor_id
    task.executor.name = executor_name
    task.executor.command.value = command
    for resources, cpus, mem in ((task.resources, 0.1, 32), (task.executor.resources, 0.1, 64)):
        for name, value in (("cpus", cpus), ("mem", mem)):
            resources.add(name=name, type=pb.mesos.Value.Type.Value("SCALAR")).scalar.value = value
    return call


def read_records(response: requests.Response):
    """Yields each RecordIO payload of a streaming response, as bytes."""
    buf = b""
    for chunk in response.iter_content(chunk_size=None):
        buf += chunk
        while True:
            newline = buf.find(b"\n")
            if newline < 0:
                break
            size = int(buf[:newline])
            if len(buf) < newline + 1 + size:
                break
            yield buf[newline + 1:newline + 1 + size]
            buf = buf[newline + 1 + size:]


class ProtobufScheduler:
    """A v1 scheduler that sends Call protobufs and reads binary Event records."""

    def __init__(self, master_addr: str, name: str = "protobuf-e2e", framework_id: str | None = None,
                 failover_timeout: float | None = None, accept: str = PROTOBUF):
        self.pb = protos()
        self.master_addr = master_addr
        self.accept = accept
        self.info = self.pb.mesos.FrameworkInfo(user="", name=name, hostname="localhost")
        if framework_id:
            self.info.id.value = framework_id
        if failover_timeout is not None:
            self.info.failover_timeout = failover_timeout
        self.cond = threading.Condition()
        self.events: list = []
        self.stream_id: str | None = None
        self.framework_id: str | None = framework_id
        self.response: requests.Response | None = None
        self.content_type: str | None = None
        self.taken: set[str] = set()

    # -- calls
    def post(self, call, headers: dict | None = None) -> requests.Response:
        hdrs = {"Content-Type": PROTOBUF, **(headers or {})}
        if self.stream_id:
            hdrs.setdefault("Mesos-Stream-Id", self.stream_id)
        return requests.post(f"http://{self.master_addr}/api/v1/scheduler", data=call.SerializeToString(),
                             headers=hdrs, timeout=10)

    def new_call(self, kind: str):
        call = self.pb.scheduler.Call(type=self.pb.scheduler.Call.Type.Value(kind))
        if self.framework_id:
            call.framework_id.value = self.framework_id
        return call

    def subscribe(self, timeout: float = 20) -> "ProtobufScheduler":
        call = self.new_call("SUBSCRIBE")
        call.subscribe.framework_info.CopyFrom(self.info)
        if self.framework_id:
            call.subscribe.framework_info.id.value = self.framework_id
        self.response = requests.post(
            f"http://{self.master_addr}/api/v1/scheduler", data=call.SerializeToString(), stream=True,
            headers={"Content-Type": PROTOBUF, "Accept": self.accept}, timeout=(10, None))
        assert self.response.status_code == 200, (self.response.status_code, self.response.text)
        self.stream_id = self.response.headers["Mesos-Stream-Id"]
        self.content_type = self.response.headers.get("Content-Type")
        threading.Thread(target=self._read, daemon=True).start()
        subscribed = self.wait_event("SUBSCRIBED", timeout=timeout)
        self.framework_id = subscribed.subscribed.framework_id.value
        return self

    def _read(self):
        try:
            for record in read_records(self.response):
                event = self.pb.scheduler.Event()
                event.ParseFromString(record)  # raises on a record missing a required field
                with self.cond:
                    self.events.append(event)
                    self.cond.notify_all()
        except Exception as error:  # the stream ended or a record did not parse: tests see it
            with self.cond:
                self.events.append(error)
                self.cond.notify_all()

    def close(self):
        if self.response is not None:
            self.response.close()

    # -- waiting
    def wait_event(self, kind: str, where=lambda e: True, timeout: float = 20, after: int = 0):
        """The first event of `kind` (from index `after`) for which `where` holds."""
        want = self.pb.scheduler.Event.Type.Value(kind)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events[after:]:
                    if isinstance(event, Exception):
                        raise AssertionError(f"event stream broke: {event!r}")
                    if event.type == want and where(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [self.pb.scheduler.Event.Type.Name(e.type) for e in self.events
                            if not isinstance(e, Exception)]
                    raise AssertionError(f"no {kind} within {timeout}s; saw {seen}")
                self.cond.wait(left)

    def wait_update(self, task_id: str, state: str, timeout: float = 30):
        """The task's update to `state`, acknowledging every earlier one on the way (the agent
        sends a task's next update only once the one before is acknowledged)."""
        want = self.pb.mesos.TaskState.Value(state)
        deadline = time.monotonic() + timeout
        acknowledged: set[bytes] = set()
        while True:
            event = self.wait_event("UPDATE", lambda e: e.update.status.task_id.value == task_id
                                    and (e.update.status.state == want or e.update.status.uuid not in acknowledged),
                                    max(0.1, deadline - time.monotonic()))
            if event.update.status.state == want:
                return event
            acknowledged.add(event.update.status.uuid)
            if event.update.status.uuid:
                self.acknowledge(event)

    # -- helpers for common calls
    def take_offer(self, timeout: float = 20):
        """An offer not taken before and not rescinded."""
        def fresh(event):
            rescinded = {e.rescind.offer_id.value for e in self.events
                         if not isinstance(e, Exception) and e.HasField("rescind")}
            return any(o.id.value not in self.taken and o.id.value not in rescinded for o in event.offers.offers)
        event = self.wait_event("OFFERS", fresh, timeout)
        offer = next(o for o in event.offers.offers if o.id.value not in self.taken)
        self.taken.add(offer.id.value)
        return offer

    def launch(self, offer, task_id: str, command: str, cpus: float = 0.1, mem: float = 32) -> requests.Response:
        call = self.new_call("ACCEPT")
        call.accept.offer_ids.add().value = offer.id.value
        operation = call.accept.operations.add(type=self.pb.mesos.Offer.Operation.Type.Value("LAUNCH"))
        task = operation.launch.task_infos.add(name=f"pb-{task_id}")
        task.task_id.value = task_id
        task.agent_id.value = offer.agent_id.value
        task.command.value = command
        for name, value in (("cpus", cpus), ("mem", mem)):
            resource = task.resources.add(name=name, type=self.pb.mesos.Value.Type.Value("SCALAR"))
            resource.scalar.value = value
        return self.post(call)

    def acknowledge(self, update_event) -> requests.Response:
        status = update_event.update.status
        call = self.new_call("ACKNOWLEDGE")
        call.acknowledge.agent_id.value = status.agent_id.value
        call.acknowledge.task_id.value = status.task_id.value
        call.acknowledge.uuid = status.uuid
        return self.post(call)
