"""The operator API's SUBSCRIBE: SUBSCRIBED with the state, then agent, framework and task events
in the order they happened, while a pymesos framework launches, runs and kills a task and an
agent goes away and comes back; heartbeats in between."""
import json
import signal
import threading
import time

import requests

from mesos_client import command_task


class OperatorStream:
    """Reads a SUBSCRIBE stream's RecordIO records in a thread."""

    def __init__(self, url: str):
        self.events: list[dict] = []
        self.cond = threading.Condition()
        self.reply = requests.post(f"{url}/api/v1", json={"type": "SUBSCRIBE"}, stream=True, timeout=60,
                                   headers={"Accept": "application/json"})
        assert self.reply.status_code == 200
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        try:
            for chunk in self.reply.iter_content(chunk_size=None):
                buffer += chunk
                while b"\n" in buffer:
                    size, rest = buffer.split(b"\n", 1)
                    if len(rest) < int(size):
                        break
                    record, buffer = rest[:int(size)], rest[int(size):]
                    with self.cond:
                        self.events.append(json.loads(record))
                        self.cond.notify_all()
        except Exception:
            pass

    def wait_for(self, predicate, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                assert left > 0, f"no such event among {[e['type'] for e in self.events]}"
                self.cond.wait(left)

    def index(self, predicate) -> int:
        with self.cond:
            return next(i for i, e in enumerate(self.events) if predicate(e))

    def close(self):
        # Closing waits for the reader's next chunk, up to a heartbeat away: let it, elsewhere.
        threading.Thread(target=self.reply.close, daemon=True).start()


def task_event(kind: str, task_id: str, state: str | None = None):
    def match(event):
        if event["type"] != kind:
            return False
        if kind == "TASK_ADDED":
            return event["task_added"]["task"]["task_id"]["value"] == task_id
        update = event["task_updated"]
        return update["status"]["task_id"]["value"] == task_id and (state is None or update["state"] == state)
    return match


def test_subscribe_streams_changes_in_order(make_cluster, make_framework):
    cluster = make_cluster(master_flags=["--agent_ping_timeout=1secs", "--max_agent_ping_timeouts=1"])
    stream = OperatorStream(cluster.url)
    try:
        first = stream.wait_for(lambda e: True)
        assert first["type"] == "SUBSCRIBED", first
        state = first["subscribed"]["get_state"]
        assert len(state["get_agents"]["agents"]) == 1 and state["get_frameworks"]["frameworks"] == []
        assert first["subscribed"]["heartbeat_interval_seconds"] > 0

        fw = make_framework(cluster.master_addr)
        added = stream.wait_for(lambda e: e["type"] == "FRAMEWORK_ADDED")
        assert added["framework_added"]["framework"]["framework_info"]["id"]["value"] == fw.framework_id

        offer = fw.take_offer(timeout=20)
        fw.launch(offer, [command_task("watched", offer.agent_id.value, "sleep 600")])
        fw.wait_update("watched", 30, "TASK_RUNNING")
        stream.wait_for(task_event("TASK_UPDATED", "watched", "TASK_RUNNING"))
        fw.kill("watched")
        fw.wait_terminal("watched", 30)
        stream.wait_for(task_event("TASK_UPDATED", "watched", "TASK_KILLED"))
        order = [stream.index(lambda e: e["type"] == "FRAMEWORK_ADDED"),
                 stream.index(task_event("TASK_ADDED", "watched")),
                 stream.index(task_event("TASK_UPDATED", "watched", "TASK_RUNNING")),
                 stream.index(task_event("TASK_UPDATED", "watched", "TASK_KILLED"))]
        assert order == sorted(order), order
        task = stream.events[order[1]]["task_added"]["task"]
        assert task["state"] == "TASK_STAGING" and task["framework_id"]["value"] == fw.framework_id

        agent_id = offer.agent_id.value
        cluster.agent.stop(sig=signal.SIGKILL)
        removed = stream.wait_for(lambda e: e["type"] == "AGENT_REMOVED", timeout=30)
        assert removed["agent_removed"]["agent_id"]["value"] == agent_id
        cluster.start_agent()
        back = stream.wait_for(lambda e: e["type"] == "AGENT_ADDED", timeout=30)
        assert back["agent_added"]["agent"]["agent_info"]["id"]["value"] == agent_id

        framework_id = fw.framework_id
        fw.stop(failover=False, timeout=10)
        gone = stream.wait_for(lambda e: e["type"] == "FRAMEWORK_REMOVED")
        assert gone["framework_removed"]["framework_info"]["id"]["value"] == framework_id
        # The master's heartbeat interval is 15 s: by now, or soon, a HEARTBEAT has come.
        stream.wait_for(lambda e: e["type"] == "HEARTBEAT", timeout=20)
    finally:
        stream.close()

