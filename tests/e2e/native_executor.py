"""A custom executor on the native driver protocol, written from the protocol as libmesos's
MesosExecutorDriver speaks it: a libprocess process `executor(1)@127.0.0.1:<port>` with its own
HTTP server, registering with the agent named by MESOS_SLAVE_PID.

Each launched task goes TASK_RUNNING and the scheduler hears `started <task>`, then
`acknowledged <task>` once the agent acknowledges that update. A scheduler message
`finish <task>` finishes the task; any other is echoed back. A kill ends the task with
TASK_KILLED; ShutdownExecutorMessage ends the process. After an agent restart, the agent's
ReconnectExecutorMessage is answered with ReregisterExecutorMessage (the updates it never heard
acknowledged), and the scheduler hears `reregistered` once the agent confirms."""
import os
import queue
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from native_client import internal  # noqa: E402
from protobuf_client import protos  # noqa: E402

pb = protos()
msg = internal()
AGENT = os.environ["MESOS_SLAVE_PID"]
assert os.environ["MESOS_AGENT_PID"] == AGENT, "both names of the agent's pid"
FRAMEWORK_ID = os.environ["MESOS_FRAMEWORK_ID"]
EXECUTOR_ID = os.environ["MESOS_EXECUTOR_ID"]
inbox: "queue.Queue[tuple[str, bytes]]" = queue.Queue()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while (size := int(self.rfile.readline().strip(), 16)) != 0:
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ok = self.path.startswith("/executor(1)/") and "Libprocess-From" in self.headers
        self.send_response(202 if ok else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if ok:
            inbox.put((self.path[len("/executor(1)/"):], body))

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
SELF = f"executor(1)@127.0.0.1:{server.server_address[1]}"
threading.Thread(target=server.serve_forever, daemon=True).start()
agent_id = ""


def send(message):
    name = "mesos.internal." + type(message).__name__
    _, address = AGENT.split("@", 1)
    r = requests.post(f"http://{address}/slave(1)/{name}", data=message.SerializeToString(),
                      headers={"Libprocess-From": SELF}, timeout=10)
    assert r.status_code == 202, (name, r.status_code)


unacknowledged: dict[bytes, object] = {}   # uuid -> StatusUpdate, until the agent acknowledges


def update(task_id: str, state: str) -> bytes:
    message = msg.StatusUpdateMessage(pid=SELF)
    u = message.update
    u.framework_id.value = FRAMEWORK_ID
    u.executor_id.value = EXECUTOR_ID
    u.slave_id.value = agent_id
    u.timestamp = time.time()
    u.uuid = uuid.uuid4().bytes
    u.status.task_id.value = task_id
    u.status.state = pb.mesos.TaskState.Value(state)
    u.status.agent_id.value = agent_id  # v1 name; v0 calls it slave_id, same number
    u.status.timestamp = u.timestamp
    u.status.uuid = u.uuid
    unacknowledged[u.uuid] = u
    send(message)
    return u.uuid


def to_framework(text: str):
    message = msg.ExecutorToFrameworkMessage(data=text.encode())
    message.slave_id.value = agent_id
    message.framework_id.value = FRAMEWORK_ID
    message.executor_id.value = EXECUTOR_ID
    send(message)


def main():
    global agent_id
    register = msg.RegisterExecutorMessage()
    register.framework_id.value = FRAMEWORK_ID
    register.executor_id.value = EXECUTOR_ID
    send(register)
    running: dict[bytes, str] = {}   # uuid of a TASK_RUNNING update -> task
    while True:
        name, body = inbox.get(timeout=120)
        short = name.rsplit(".", 1)[-1]
        message = getattr(msg, short)()
        message.ParseFromString(body)
        if short == "ExecutorRegisteredMessage":
            agent_id = message.slave_id.value
            assert message.executor_info.executor_id.value == EXECUTOR_ID
            assert message.framework_id.value == FRAMEWORK_ID
        elif short == "RunTaskMessage":
            task_id = message.task.task_id.value
            running[update(task_id, "TASK_RUNNING")] = task_id
            to_framework(f"started {task_id}")
        elif short == "StatusUpdateAcknowledgementMessage":
            unacknowledged.pop(message.uuid, None)
            if message.uuid in running:
                to_framework(f"acknowledged {running.pop(message.uuid)}")
        elif short == "FrameworkToExecutorMessage":
            text = message.data.decode()
            if text.startswith("finish "):
                update(text.split()[1], "TASK_FINISHED")
            else:
                to_framework(f"echo {text}")
        elif short == "KillTaskMessage":
            update(message.task_id.value, "TASK_KILLED")
        elif short == "ReconnectExecutorMessage":
            again = msg.ReregisterExecutorMessage()
            again.framework_id.value = FRAMEWORK_ID
            again.executor_id.value = EXECUTOR_ID
            again.updates.extend(unacknowledged.values())
            send(again)
        elif short == "ExecutorReregisteredMessage":
            to_framework("reregistered")
        elif short == "ShutdownExecutorMessage":
            return


if __name__ == "__main__":
    main()
