"""The v1 scheduler API with protobuf bodies, as Mesos's C++ library and mesos-execute send them:
binary calls in, a RecordIO stream of binary events out, the same scenarios the JSON path runs."""
import json
import sys
from pathlib import Path

import requests

from protobuf_client import PROTOBUF, ProtobufScheduler, accept_on_executor, read_records

EXECUTOR = Path(__file__).with_name("protobuf_executor.py")


def test_launch_acknowledge_kill_reconcile_teardown(cluster):
    fw = ProtobufScheduler(cluster.master_addr).subscribe()
    try:
        assert fw.content_type == PROTOBUF
        subscribed = fw.wait_event("SUBSCRIBED")
        assert subscribed.subscribed.heartbeat_interval_seconds > 0
        assert subscribed.subscribed.master_info.id

        offer = fw.take_offer()
        assert offer.hostname and offer.agent_id.value
        names = {r.name for r in offer.resources}
        assert {"cpus", "mem", "ports"} <= names, names
        ports = next(r for r in offer.resources if r.name == "ports")
        assert ports.ranges.range[0].begin == 31000 and ports.ranges.range[0].end == 32000

        r = fw.launch(offer, "pb-echo", "echo over protobuf")
        assert r.status_code == 202, (r.status_code, r.text)
        running = fw.wait_update("pb-echo", "TASK_RUNNING")
        assert fw.acknowledge(running).status_code == 202
        finished = fw.wait_update("pb-echo", "TASK_FINISHED")
        assert finished.update.status.uuid, "an update to acknowledge carries its uuid"
        assert fw.acknowledge(finished).status_code == 202

        # A long task: reconciled while it runs (and the finished one, which the master no
        # longer knows once acknowledged), then killed.
        offer = fw.take_offer()
        assert fw.launch(offer, "pb-sleep", "sleep 100").status_code == 202
        fw.acknowledge(fw.wait_update("pb-sleep", "TASK_RUNNING"))
        reconcile = fw.new_call("RECONCILE")
        for task_id in ("pb-sleep", "pb-echo"):
            reconcile.reconcile.tasks.add().task_id.value = task_id
        assert fw.post(reconcile).status_code == 202
        reason = fw.pb.mesos.TaskStatus.Reason.Value("REASON_RECONCILIATION")
        answers = {}
        for task_id in ("pb-sleep", "pb-echo"):
            update = fw.wait_event("UPDATE", lambda e, t=task_id: e.update.status.task_id.value == t
                                   and e.update.status.reason == reason)
            answers[task_id] = fw.pb.mesos.TaskState.Name(update.update.status.state)
        assert answers == {"pb-sleep": "TASK_RUNNING", "pb-echo": "TASK_LOST"}, answers

        kill = fw.new_call("KILL")
        kill.kill.task_id.value = "pb-sleep"
        kill.kill.agent_id.value = offer.agent_id.value
        assert fw.post(kill).status_code == 202
        fw.acknowledge(fw.wait_update("pb-sleep", "TASK_KILLED"))

        state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
        (framework,) = [f for f in state["frameworks"] if f["id"] == fw.framework_id]
        assert framework["name"] == "protobuf-e2e"

        assert fw.post(fw.new_call("TEARDOWN")).status_code == 202
        state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
        assert fw.framework_id in {f["id"] for f in state["completed_frameworks"]}
    finally:
        fw.close()


def test_protobuf_call_with_a_json_answer(cluster):
    """The body's format and the answer's are chosen apart: Accept picks the stream's."""
    fw = ProtobufScheduler(cluster.master_addr, accept="application/json")
    call = fw.new_call("SUBSCRIBE")
    call.subscribe.framework_info.CopyFrom(fw.info)
    r = requests.post(f"{cluster.url}/api/v1/scheduler", data=call.SerializeToString(), stream=True,
                      headers={"Content-Type": PROTOBUF, "Accept": "application/json"}, timeout=(10, 10))
    try:
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        first = json.loads(next(read_records(r)))
        assert first["type"] == "SUBSCRIBED", first
    finally:
        r.close()


def test_bad_protobuf_is_refused(cluster):
    url = f"{cluster.url}/api/v1/scheduler"
    r = requests.post(url, data=b"\xff\xff\xff garbage", headers={"Content-Type": PROTOBUF}, timeout=10)
    assert r.status_code == 400 and "Call protobuf" in r.text, (r.status_code, r.text)

    # A SUBSCRIBE missing FrameworkInfo's required user and name does not parse either.
    fw = ProtobufScheduler(cluster.master_addr)
    call = fw.new_call("SUBSCRIBE")
    call.subscribe.framework_info.hostname = "h"
    r = requests.post(url, data=call.SerializePartialToString(), headers={"Content-Type": PROTOBUF}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)

    r = requests.post(url, data=b"", headers={"Content-Type": PROTOBUF, "Accept": "text/plain"}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert requests.get(f"{cluster.url}/health", timeout=5).status_code == 200


def test_protobuf_executor_runs_tasks_and_exchanges_messages(cluster):
    """Both ends in protobuf: a scheduler launches tasks on a custom executor that subscribes
    to the agent with binary calls, and messages go both ways."""
    fw = ProtobufScheduler(cluster.master_addr).subscribe()
    pb = fw.pb
    try:
        def launch(task_id: str):
            offer = fw.take_offer()
            call = accept_on_executor(pb, fw.new_call("ACCEPT"), offer, task_id, "pb-executor", "protobuf executor",
                                      f"{sys.executable} {EXECUTOR}")
            assert fw.post(call).status_code == 202
            return offer.agent_id.value

        def wait_message(text: str):
            return fw.wait_event("MESSAGE", lambda e: e.message.data.decode() == text, timeout=30)

        agent_id = launch("first")
        running = fw.wait_update("first", "TASK_RUNNING")
        assert running.update.status.executor_id.value == "pb-executor"
        fw.acknowledge(running)
        assert wait_message("started first").message.executor_id.value == "pb-executor"

        def say(text: str):
            call = fw.new_call("MESSAGE")
            call.message.agent_id.value = agent_id
            call.message.executor_id.value = "pb-executor"
            call.message.data = text.encode()
            assert fw.post(call).status_code == 202

        say("ping")
        wait_message("echo ping")

        launch("second")
        fw.acknowledge(fw.wait_update("second", "TASK_RUNNING"))
        wait_message("started second")
        say("finish first")
        fw.acknowledge(fw.wait_update("first", "TASK_FINISHED"))
        kill = fw.new_call("KILL")
        kill.kill.task_id.value = "second"
        assert fw.post(kill).status_code == 202
        fw.acknowledge(fw.wait_update("second", "TASK_KILLED"))
    finally:
        fw.close()


def operator(url: str, pb_module, kind: str, **fields):
    """One operator call in protobuf; the parsed protobuf Response."""
    call = pb_module.Call(type=pb_module.Call.Type.Value(kind))
    for name, value in fields.items():
        getattr(call, name).CopyFrom(value)
    r = requests.post(f"{url}/api/v1", data=call.SerializeToString(),
                      headers={"Content-Type": PROTOBUF, "Accept": PROTOBUF}, timeout=10)
    assert r.status_code == 200, (kind, r.status_code, r.text)
    assert r.headers["Content-Type"] == PROTOBUF, (kind, r.headers)
    response = pb_module.Response()
    response.ParseFromString(r.content)
    assert response.type == pb_module.Response.Type.Value(kind), (kind, response)
    return response


def test_operator_api_in_protobuf(cluster):
    fw = ProtobufScheduler(cluster.master_addr, name="operator-pb").subscribe()
    pb = fw.pb
    master = __import__("mesos.v1.master.master_pb2", fromlist=["Call"])
    agent_api = __import__("mesos.v1.agent.agent_pb2", fromlist=["Call"])
    events = requests.post(f"{cluster.url}/api/v1", stream=True, timeout=(10, None),
                           data=master.Call(type=master.Call.SUBSCRIBE).SerializeToString(),
                           headers={"Content-Type": PROTOBUF, "Accept": PROTOBUF})
    try:
        assert events.status_code == 200 and events.headers["Content-Type"] == PROTOBUF
        records = read_records(events)
        first = master.Event()
        first.ParseFromString(next(records))
        assert first.type == master.Event.SUBSCRIBED
        assert [f.framework_info.name for f in first.subscribed.get_state.get_frameworks.frameworks] == ["operator-pb"]

        offer = fw.take_offer()
        assert fw.launch(offer, "op-sleep", "sleep 100").status_code == 202
        fw.acknowledge(fw.wait_update("op-sleep", "TASK_RUNNING"))
        while True:
            event = master.Event()
            event.ParseFromString(next(records))
            if event.type == master.Event.TASK_ADDED:
                assert event.task_added.task.task_id.value == "op-sleep"
                break

        assert operator(cluster.url, master, "GET_HEALTH").get_health.healthy
        state = operator(cluster.url, master, "GET_STATE").get_state
        assert [t.task_id.value for t in state.get_tasks.tasks] == ["op-sleep"]
        assert len(state.get_agents.agents) == 1
        tasks = operator(cluster.url, master, "GET_TASKS").get_tasks
        assert tasks.tasks[0].state == pb.mesos.TaskState.Value("TASK_RUNNING")
        roles = operator(cluster.url, master, "GET_ROLES").get_roles.roles
        assert {r.name for r in roles} >= {"*"}, roles
        (star,) = [r for r in roles if r.name == "*"]
        assert [f.value for f in star.frameworks] == [fw.framework_id]
        assert operator(cluster.url, master, "GET_VERSION").get_version.version_info.version
        assert operator(cluster.url, master, "GET_METRICS").get_metrics.metrics
        agent_url = cluster.agent_url
        agent_state = operator(agent_url, agent_api, "GET_STATE").get_state
        assert [t.task_id.value for t in agent_state.get_tasks.launched_tasks] == ["op-sleep"], agent_state.get_tasks
        containers = operator(agent_url, agent_api, "GET_CONTAINERS").get_containers.containers
        assert len(containers) == 1

        # A google.protobuf.Duration inside a call (DRAIN_AGENT's grace period).
        drain = master.Call.DrainAgent()
        drain.agent_id.value = offer.agent_id.value
        drain.max_grace_period.seconds = 1
        call = master.Call(type=master.Call.DRAIN_AGENT)
        call.drain_agent.CopyFrom(drain)
        r = requests.post(f"{cluster.url}/api/v1", data=call.SerializeToString(),
                          headers={"Content-Type": PROTOBUF, "Accept": PROTOBUF}, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)

    finally:
        events.close()
        fw.close()
