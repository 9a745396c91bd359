"""Health checks through pymesos: the agent checks a server the task runs on a port from its
offer, reports `healthy`, and kills the task once the checks keep failing."""
import random
import sys
import time

from mesos_client import command_task


def fast(check_type: str, **part) -> dict:
    return {"type": check_type, "delay_seconds": 0.2, "interval_seconds": 0.3, "timeout_seconds": 1,
            "consecutive_failures": 2, "grace_period_seconds": 10, **part}


def with_port(task: dict, port: int) -> dict:
    task["resources"].append({"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": port, "end": port}]}})
    return task


def healthy_update(fw, task_id: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for update in fw.updates_for(task_id):
            if update.get("healthy") is True:
                return update
        time.sleep(0.05)
    raise AssertionError(f"{task_id} never reported healthy: {fw.updates_for(task_id)}")


def test_http_check_reports_healthy_then_kills_a_broken_server(cluster, fw):
    offer = fw.take_offer()
    port = random.randint(31000, 31999)
    server = f"{sys.executable} -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1"
    command = f"{server} & server=$!; while [ ! -f break ]; do sleep 0.1; done; kill $server; sleep 600"
    task = with_port(command_task("web", offer.agent_id.value, command, mem=64), port)
    task["health_check"] = fast("HTTP", http={"port": port, "path": "/"})
    fw.launch(offer, [task])
    update = healthy_update(fw, "web")
    assert update.state == "TASK_RUNNING"
    assert update.get("reason") == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", update
    (cluster.sandbox_files("web")[0].parent / "break").touch()
    end = fw.wait_terminal("web", 20)
    assert end.state == "TASK_KILLED", end
    assert end.get("reason") == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", end
    assert end.get("healthy") is False, end
    assert any(u.get("healthy") is False and u.state == "TASK_RUNNING" for u in fw.updates_for("web"))


def test_tcp_and_command_checks(cluster, fw):
    offer = fw.take_offer()
    agent = offer.agent_id.value
    port = random.randint(31000, 31999)
    listening = with_port(command_task("listening", agent, f"exec {sys.executable} -m http.server {port} --bind 127.0.0.1",
                                       mem=64), port)
    listening["health_check"] = fast("TCP", tcp={"port": port})
    marked = command_task("marked", agent, "sleep 1; touch ready; sleep 600")
    marked["health_check"] = fast("COMMAND", command={"value": 'test -f "$MESOS_SANDBOX/ready"'})
    fw.launch(offer, [listening, marked])
    for task_id in ["listening", "marked"]:
        healthy_update(fw, task_id)
        fw.kill(task_id)
        assert fw.wait_terminal(task_id, 15).state == "TASK_KILLED"


def test_invalid_health_check_is_task_error(fw):
    offer = fw.take_offer()
    task = command_task("bad-check", offer.agent_id.value, "sleep 1")
    task["health_check"] = {"type": "HTTP", "http": {"port": 31000, "path": "no-slash"}}
    fw.launch(offer, [task])
    update = fw.wait_terminal("bad-check", 15)
    assert update.state == "TASK_ERROR", update
    assert "must start with '/'" in update.get("message", ""), update


def test_general_check_reports_http_status_codes(fw):
    offer = fw.take_offer()
    port = random.randint(31000, 31999)
    task = with_port(command_task("checked", offer.agent_id.value,
                                  f"exec {sys.executable} -m http.server {port} --bind 127.0.0.1", mem=64), port)
    task["check"] = {"type": "HTTP", "http": {"port": port, "path": "/"}, "delay_seconds": 0.2, "interval_seconds": 0.3}
    fw.launch(offer, [task])
    deadline = time.monotonic() + 20
    found = None
    while time.monotonic() < deadline and found is None:
        found = next((u for u in fw.updates_for("checked")
                      if u.get("check_status", {}).get("http", {}).get("status_code") == 200), None)
        time.sleep(0.05)
    assert found is not None, fw.updates_for("checked")
    assert found.get("reason") == "REASON_TASK_CHECK_STATUS_UPDATED", found
    fw.kill("checked")
    fw.wait_terminal("checked", 15)
