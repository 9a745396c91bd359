"""The v1 operator API's reads and MARK_AGENT_GONE against a real master, agent and pymesos
framework: each call's response in Mesos's shape."""
import time

import requests

from mesos_client import command_task, operator_call
from plinth_procs import is_alive


def call(cluster, body: dict) -> requests.Response:
    return operator_call(cluster.master_addr, body)


def launch(fw):
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task("done", offer.agent_id.value, "true"),
                      command_task("long", offer.agent_id.value, "sleep 600")])
    fw.wait_terminal("done", 30)
    update = fw.wait_update("long", 30, "TASK_RUNNING")
    # A finished task stays among the live ones until the framework's acknowledgement arrives.
    master = fw.master_addr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = operator_call(master, {"type": "GET_TASKS"}).json()["get_tasks"]
        if [t["task_id"]["value"] for t in listed["completed_tasks"]] == ["done"]:
            break
        time.sleep(0.1)
    return offer.agent_id.value, int(update["container_status"]["executor_pid"])


def test_get_state_and_its_parts(cluster, fw):
    agent_id, _ = launch(fw)
    reply = call(cluster, {"type": "GET_STATE"})
    assert reply.status_code == 200 and reply.json()["type"] == "GET_STATE"
    state = reply.json()["get_state"]
    tasks = state["get_tasks"]
    assert [t["task_id"]["value"] for t in tasks["tasks"]] == ["long"]
    long = tasks["tasks"][0]
    assert long["state"] == "TASK_RUNNING" and long["agent_id"]["value"] == agent_id
    assert long["framework_id"]["value"] == fw.framework_id
    assert any(r["name"] == "cpus" for r in long["resources"])
    assert [s["state"] for s in long["statuses"]][-1] == "TASK_RUNNING"
    assert [t["task_id"]["value"] for t in tasks["completed_tasks"]] == ["done"]
    assert tasks["completed_tasks"][0]["state"] == "TASK_FINISHED"
    agents = state["get_agents"]["agents"]
    assert len(agents) == 1 and agents[0]["agent_info"]["id"]["value"] == agent_id
    assert agents[0]["active"] is True and agents[0]["pid"].startswith("slave(1)@")
    assert any(r["name"] == "cpus" and r["scalar"]["value"] == 4 for r in agents[0]["total_resources"])
    assert agents[0]["registered_time"]["nanoseconds"] > 0
    frameworks = state["get_frameworks"]["frameworks"]
    assert [f["framework_info"]["id"]["value"] for f in frameworks] == [fw.framework_id]
    assert frameworks[0]["active"] is True and frameworks[0]["connected"] is True
    assert any(r["name"] == "cpus" for r in frameworks[0]["allocated_resources"])
    assert state["get_executors"] == {"executors": [], "orphan_executors": []}

    for name in ("GET_TASKS", "GET_AGENTS", "GET_FRAMEWORKS", "GET_EXECUTORS"):
        part = call(cluster, {"type": name})
        assert part.status_code == 200 and part.json()["type"] == name
        key = name.lower()
        if name == "GET_AGENTS":
            assert [a["agent_info"]["id"] for a in part.json()[key]["agents"]] == [a["agent_info"]["id"] for a in agents]
        elif name == "GET_TASKS":
            assert [t["task_id"] for t in part.json()[key]["tasks"]] == [t["task_id"] for t in tasks["tasks"]]
        else:
            assert part.json()[key].keys() == state[key].keys()

    operations = call(cluster, {"type": "GET_OPERATIONS"})
    assert operations.json() == {"type": "GET_OPERATIONS", "get_operations": {"operations": []}}


def test_flags_and_logging_level(cluster):
    flags = call(cluster, {"type": "GET_FLAGS"}).json()["get_flags"]["flags"]
    values = {f["name"]: f["value"] for f in flags}
    assert values["port"] == str(cluster.master_port) and values["agent_reregister_timeout"] == "10mins"
    legacy = requests.get(f"{cluster.url}/master/flags", timeout=5).json()["flags"]
    assert legacy["port"] == str(cluster.master_port)

    assert call(cluster, {"type": "GET_LOGGING_LEVEL"}).json()["get_logging_level"]["level"] == 0
    reply = call(cluster, {"type": "SET_LOGGING_LEVEL",
                           "set_logging_level": {"level": 2, "duration": {"nanoseconds": 1_000_000_000}}})
    assert reply.status_code == 200
    assert call(cluster, {"type": "GET_LOGGING_LEVEL"}).json()["get_logging_level"]["level"] == 2
    time.sleep(1.5)
    assert call(cluster, {"type": "GET_LOGGING_LEVEL"}).json()["get_logging_level"]["level"] == 0
    missing = call(cluster, {"type": "SET_LOGGING_LEVEL"})
    assert missing.status_code == 400 and "set_logging_level" in missing.text


def test_calls_not_served_answer_501_by_name(cluster):
    reply = call(cluster, {"type": "CREATE_VOLUMES"})
    assert reply.status_code == 501 and "CREATE_VOLUMES" in reply.text


def test_master_files_are_its_log(make_cluster, tmp_path):
    """LIST_FILES and READ_FILE on the master read its log (`--log_dir`) as `/master/log`, and so
    do /files/browse and /files/read; without a log directory there is nothing to read."""
    import base64
    cluster = make_cluster(master_flags=[f"--log_dir={tmp_path / 'master-logs'}"])
    listed = call(cluster, {"type": "LIST_FILES", "list_files": {"path": "/master/log"}})
    assert listed.status_code == 200, listed.text
    infos = listed.json()["list_files"]["file_infos"]
    assert [i["path"] for i in infos] == ["/master/log"] and infos[0]["size"] > 0
    assert infos[0]["mtime"]["nanoseconds"] > 0 and infos[0]["mode"] & 0o100000
    read = call(cluster, {"type": "READ_FILE", "read_file": {"path": "/master/log", "offset": 0}})
    assert read.status_code == 200, read.text
    body = read.json()["read_file"]
    text = base64.b64decode(body["data"]).decode()
    assert "registered with" in text and body["size"] >= len(text)
    part = call(cluster, {"type": "READ_FILE", "read_file": {"path": "/master/log", "offset": 5, "length": 10}}).json()
    assert base64.b64decode(part["read_file"]["data"]).decode() == text[5:15]
    size = requests.get(f"{cluster.url}/files/read?path=/master/log&offset=-1", timeout=5).json()
    assert size["data"] == "" and size["offset"] == body["size"]
    assert requests.get(f"{cluster.url}/files/browse?path=/master/log", timeout=5).json()[0]["path"] == "/master/log"
    assert call(cluster, {"type": "READ_FILE", "read_file": {"path": "/etc/passwd"}}).status_code == 404
    assert call(cluster, {"type": "LIST_FILES"}).status_code == 400


def test_master_without_log_dir_has_no_files(cluster):
    reply = call(cluster, {"type": "LIST_FILES", "list_files": {"path": "/master/log"}})
    assert reply.status_code == 404 and "/master/log" in reply.text


def test_mark_agent_gone_ends_its_tasks_for_good(cluster, fw):
    agent_id, pid = launch(fw)
    reply = call(cluster, {"type": "MARK_AGENT_GONE", "mark_agent_gone": {"agent_id": {"value": agent_id}}})
    assert reply.status_code == 200, reply.text
    assert fw.wait_terminal("long", 30).state == "TASK_LOST"
    deadline = time.monotonic() + 30
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not is_alive(pid), "a gone agent kept running its task"
    time.sleep(2)  # the agent tries to register again, and is refused
    assert call(cluster, {"type": "GET_AGENTS"}).json()["get_agents"]["agents"] == []
    again = call(cluster, {"type": "MARK_AGENT_GONE", "mark_agent_gone": {"agent_id": {"value": agent_id}}})
    assert again.status_code == 200
    unknown = call(cluster, {"type": "MARK_AGENT_GONE", "mark_agent_gone": {"agent_id": {"value": "nope"}}})
    assert unknown.status_code == 400


def test_agent_operator_reads(cluster, fw):
    _, _ = launch(fw)
    agent = cluster.agent_url.removeprefix("http://")

    def agent_call(body):
        reply = operator_call(agent, body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    flags = {f["name"]: f["value"] for f in agent_call({"type": "GET_FLAGS"})["get_flags"]["flags"]}
    assert flags["port"] == str(cluster.agent_port) and flags["master"] == cluster.master_addr
    assert requests.get(f"{cluster.agent_url}/flags", timeout=5).json()["flags"]["port"] == str(cluster.agent_port)
    state = agent_call({"type": "GET_STATE"})["get_state"]
    assert [t["task_id"]["value"] for t in state["get_tasks"]["launched_tasks"]] == ["long"]
    assert state["get_tasks"]["launched_tasks"][0]["state"] == "TASK_RUNNING"
    assert [f["framework_info"]["id"]["value"] for f in state["get_frameworks"]["frameworks"]] == [fw.framework_id]
    assert state["get_executors"]["executors"] == []
    for name in ("GET_TASKS", "GET_EXECUTORS", "GET_FRAMEWORKS"):
        reply = agent_call({"type": name})
        assert reply["type"] == name and reply[name.lower()].keys() == state[name.lower()].keys()
    unserved = operator_call(agent, {"type": "GET_MAINTENANCE_STATUS"})
    assert unserved.status_code == 501


def test_tasks_listing_state_summary_and_jsonp(cluster, fw):
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task(f"q{i}", offer.agent_id.value, "true") for i in range(5)]
              + [command_task("running", offer.agent_id.value, "sleep 600")])
    for i in range(5):
        fw.wait_terminal(f"q{i}", 30)
    fw.wait_update("running", 30, "TASK_RUNNING")

    def tasks(**params):
        reply = requests.get(f"{cluster.url}/master/tasks", params=params, timeout=5)
        assert reply.status_code == 200
        return [t["id"] for t in reply.json()["tasks"]]

    everything = tasks(limit=100)
    assert sorted(everything) == sorted([f"q{i}" for i in range(5)] + ["running"])
    assert tasks(limit=2) == everything[:2] and tasks(limit=2, offset=2) == everything[2:4]
    assert tasks(order="asc") == list(reversed(everything))
    assert tasks(task_id="q3") == ["q3"]
    assert tasks(framework_id="nope") == []
    assert len(tasks(framework_id=fw.framework_id)) == 6

    summary = requests.get(f"{cluster.url}/master/state-summary", timeout=5).json()
    agent = summary["slaves"][0]
    assert agent["TASK_RUNNING"] == 1 and agent["framework_ids"] == [fw.framework_id]
    framework = summary["frameworks"][0]
    assert framework["id"] == fw.framework_id and framework["TASK_RUNNING"] == 1
    assert framework["slave_ids"] == [agent["id"]] and "tasks" not in framework

    wrapped = requests.get(f"{cluster.url}/master/state", params={"jsonp": "show"}, timeout=5)
    assert wrapped.text.startswith("show({") and wrapped.text.endswith("});")
    assert "javascript" in wrapped.headers["Content-Type"]
    agent_wrapped = requests.get(f"{cluster.agent_url}/state", params={"jsonp": "cb"}, timeout=5)
    assert agent_wrapped.text.startswith("cb({")


def test_health_version_and_master(cluster):
    health = call(cluster, {"type": "GET_HEALTH"})
    assert health.status_code == 200 and health.json() == {"type": "GET_HEALTH", "get_health": {"healthy": True}}
    version = call(cluster, {"type": "GET_VERSION"}).json()
    assert version["type"] == "GET_VERSION" and version["get_version"]["version_info"]["version"]
    master = call(cluster, {"type": "GET_MASTER"}).json()["get_master"]
    info = master["master_info"]
    assert info["port"] == int(cluster.master_addr.split(":")[1]) and info["id"]
    assert info["address"]["ip"] == "127.0.0.1" and master["start_time"] > 0


def test_agent_health_version_metrics_containers_and_files(cluster, fw):
    import base64
    launch(fw)
    agent = cluster.agent_url.removeprefix("http://")

    def agent_call(body):
        reply = operator_call(agent, body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    assert agent_call({"type": "GET_HEALTH"})["get_health"] == {"healthy": True}
    assert agent_call({"type": "GET_VERSION"})["get_version"]["version_info"]["version"]
    metrics = {m["name"]: m["value"] for m in agent_call({"type": "GET_METRICS"})["get_metrics"]["metrics"]}
    assert metrics["slave/tasks_running"] == 1 and metrics["slave/registered"] == 1
    containers = agent_call({"type": "GET_CONTAINERS"})["get_containers"]["containers"]
    running = [c for c in containers if c["executor_id"]["value"] == "long"]
    assert len(running) == 1 and running[0]["framework_id"]["value"] == fw.framework_id
    state = requests.get(f"{cluster.agent_url}/state", timeout=5).json()
    sandbox = next(t["directory"] for t in state["tasks"] if t["id"] == "long")
    names = {i["path"].rsplit("/", 1)[1] for i in
             agent_call({"type": "LIST_FILES", "list_files": {"path": sandbox}})["list_files"]["file_infos"]}
    assert {"stdout", "stderr"} <= names
    done_sandbox = next(t["directory"] for t in state["completed_tasks"] if t["id"] == "done")
    read = agent_call({"type": "READ_FILE", "read_file": {"path": f"{done_sandbox}/stdout", "offset": 0}})["read_file"]
    assert read["size"] == len(base64.b64decode(read["data"]))
    outside = operator_call(agent, {"type": "READ_FILE", "read_file": {"path": "/etc/passwd"}})
    assert outside.status_code == 404
