"""A custom executor that speaks the v1 executor API in protobuf, as Mesos's C++ executor
library does: binary calls to the agent, a RecordIO stream of binary events back.

Each launched task goes TASK_RUNNING and sends the scheduler `started <task>`. A scheduler
message `finish <task>` finishes the task; any other message is echoed back. A kill ends the
task with TASK_KILLED; SHUTDOWN ends the process."""
import os
import sys
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protobuf_client import PROTOBUF, protos, read_records  # noqa: E402

pb = protos()
URL = f"http://{os.environ['MESOS_AGENT_ENDPOINT']}/api/v1/executor"
FRAMEWORK_ID = os.environ["MESOS_FRAMEWORK_ID"]
EXECUTOR_ID = os.environ["MESOS_EXECUTOR_ID"]


def call(kind: str):
    c = pb.executor.Call(type=pb.executor.Call.Type.Value(kind))
    c.framework_id.value = FRAMEWORK_ID
    c.executor_id.value = EXECUTOR_ID
    return c


def post(c):
    r = requests.post(URL, data=c.SerializeToString(), headers={"Content-Type": PROTOBUF}, timeout=10)
    assert r.status_code == 202, (r.status_code, r.text)


def update(task_id: str, state: str):
    c = call("UPDATE")
    status = c.update.status
    status.task_id.value = task_id
    status.state = pb.mesos.TaskState.Value(state)
    status.source = pb.mesos.TaskStatus.Source.Value("SOURCE_EXECUTOR")
    status.timestamp = time.time()
    status.uuid = uuid.uuid4().bytes
    status.executor_id.value = EXECUTOR_ID
    post(c)


def message(text: str):
    c = call("MESSAGE")
    c.message.data = text.encode()
    post(c)


def main():
    subscribe = call("SUBSCRIBE")
    subscribe.subscribe.SetInParent()
    stream = requests.post(URL, data=subscribe.SerializeToString(), stream=True, timeout=(10, None),
                           headers={"Content-Type": PROTOBUF, "Accept": PROTOBUF})
    assert stream.status_code == 200 and stream.headers["Content-Type"] == PROTOBUF, stream.status_code
    Event = pb.executor.Event
    for record in read_records(stream):
        event = Event()
        event.ParseFromString(record)
        if event.type == Event.LAUNCH:
            task_id = event.launch.task.task_id.value
            update(task_id, "TASK_RUNNING")
            message(f"started {task_id}")
        elif event.type == Event.MESSAGE:
            text = event.message.data.decode()
            if text.startswith("finish "):
                update(text.split()[1], "TASK_FINISHED")
            else:
                message(f"echo {text}")
        elif event.type == Event.KILL:
            update(event.kill.task_id.value, "TASK_KILLED")
        elif event.type == Event.SHUTDOWN:
            return


if __name__ == "__main__":
    main()
