"""Malformed protobuf and libprocess requests to master and agent: random and mutated bodies
under every message name they take (and some they do not), odd senders and paths, protobuf
bodies on the v1 endpoints. Neither process may crash or stop serving: afterwards both answer
/health and a native framework still runs a task. Seeded, so a failure can be replayed."""
import random

import requests

from native_client import NativeScheduler, internal
from protobuf_client import PROTOBUF, protos

SEED = 20261201
NAMES = [
    "mesos.scheduler.Call", "mesos.internal.RegisterFrameworkMessage", "mesos.internal.ReregisterFrameworkMessage",
    "mesos.internal.UnregisterFrameworkMessage", "mesos.internal.DeactivateFrameworkMessage",
    "mesos.internal.LaunchTasksMessage", "mesos.internal.KillTaskMessage", "mesos.internal.ReviveOffersMessage",
    "mesos.internal.StatusUpdateAcknowledgementMessage", "mesos.internal.ReconcileTasksMessage",
    "mesos.internal.ResourceRequestMessage", "mesos.internal.FrameworkToExecutorMessage",
    "mesos.internal.RegisterExecutorMessage", "mesos.internal.ReregisterExecutorMessage",
    "mesos.internal.StatusUpdateMessage", "mesos.internal.ExecutorToFrameworkMessage",
    "mesos.internal.NoSuchMessage", "", "x" * 300,
]
SENDERS = ["scheduler(1)@127.0.0.1:1", "executor(1)@127.0.0.1:9", "@:", "a@b:0", "a@b:70000", "no pid",
           "x" * 2000 + "@127.0.0.1:5", "scheduler(1)@[::1]:5", "s@127.0.0.1:-1"]


def samples():
    """Well-formed messages to mutate: each gets past the parser, so mutations reach deeper."""
    pb, m = protos(), internal()
    call = pb.scheduler.Call(type=pb.scheduler.Call.SUBSCRIBE)
    call.subscribe.framework_info.user = "root"
    call.subscribe.framework_info.name = "fuzz"
    launch = m.LaunchTasksMessage()
    launch.framework_id.value = "f"
    launch.offer_ids.add().value = "o"
    launch.filters.refuse_seconds = 1
    task = launch.tasks.add(name="t")
    task.task_id.value = "t"
    task.agent_id.value = "a"
    task.command.value = "true"
    update = m.StatusUpdateMessage(pid="executor(1)@127.0.0.1:9")
    update.update.framework_id.value = "f"
    update.update.executor_id.value = "e"
    update.update.timestamp = 1
    update.update.uuid = b"0123456789abcdef"
    update.update.status.task_id.value = "t"
    update.update.status.state = pb.mesos.TASK_RUNNING
    register = m.RegisterExecutorMessage()
    register.framework_id.value = "f"
    register.executor_id.value = "e"
    return [call.SerializeToString(), launch.SerializeToString(), update.SerializeToString(),
            register.SerializeToString()]


def bodies(rng: random.Random, valid: list[bytes]):
    yield b""
    yield b"\x00" * 64
    yield b"\xff" * 64
    yield b"\x0a\xff\xff\xff\xff\x0f"          # a length far beyond the body
    yield b"\x08" + b"\xff" * 11                 # a varint that never ends
    yield b"\x0b" * 40                           # start-group tags
    yield bytes(rng.randrange(256) for _ in range(1 << 16))
    for sample in valid:
        yield sample[: rng.randrange(len(sample))]
        flipped = bytearray(sample)
        for _ in range(3):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        yield bytes(flipped)
    for _ in range(8):
        yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))


def fuzz(base: str, process: str, rng: random.Random, valid: list[bytes]) -> int:
    sent = 0
    with requests.Session() as http:
        for name in NAMES:
            for body in bodies(rng, valid):
                sender = rng.choice(SENDERS)
                headers = {"Libprocess-From": sender} if rng.random() < 0.8 else {"User-Agent": f"libprocess/{sender}"}
                r = http.post(f"{base}/{process}/{name}", data=body, headers=headers, timeout=10)
                assert r.status_code < 500, (name, r.status_code)
                sent += 1
        for path in ["/", "//x", "/%zz/x", f"/{process}/", f"/{process}//", "/nobody/mesos.scheduler.Call"]:
            r = http.post(base + path, data=b"\x01", headers={"Libprocess-From": SENDERS[0]}, timeout=10)
            assert r.status_code < 500, (path, r.status_code)
        # Protobuf bodies on the v1 endpoints.
        for path in ["/api/v1/scheduler", "/api/v1", "/api/v1/executor"]:
            for body in bodies(rng, valid):
                r = http.post(base + path, data=body, timeout=10,
                              headers={"Content-Type": PROTOBUF, "Accept": rng.choice([PROTOBUF, "application/json"])})
                assert r.status_code < 500 or r.status_code == 501, (path, r.status_code, r.text[:200])
                sent += 1
    return sent


def test_malformed_native_and_protobuf_input_crashes_nothing(cluster):
    rng = random.Random(SEED)
    valid = samples()
    sent = fuzz(cluster.url, "master", rng, valid) + fuzz(cluster.agent_url, "slave(1)", rng, valid)
    assert sent > 500
    for url, proc in ((cluster.url, cluster.master), (cluster.agent_url, cluster.agent)):
        assert proc.popen.poll() is None, f"{url} exited"
        assert requests.get(f"{url}/health", timeout=10).status_code == 200

    fw = NativeScheduler(cluster.master_addr, name="after-fuzz")
    try:
        fw.register()
        offer, _ = fw.take_offer()
        assert fw.launch(offer, "still-fine", "true").status_code == 202
        fw.wait_acknowledging("still-fine", "TASK_FINISHED")
    finally:
        fw.close()
