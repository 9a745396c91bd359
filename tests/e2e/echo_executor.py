"""A custom executor written with pymesos's MesosExecutorDriver, for the executor tests.

Each launched task goes TASK_RUNNING and announces itself to the scheduler with a framework
message naming the task and this process's pid; it says so too when it subscribes again
after an agent restart. A scheduler message `finish <task>` finishes
that task; any other message is echoed back. A kill ends the task with TASK_KILLED."""
import os
import sys

from pymesos import Executor, MesosExecutorDriver, decode_data, encode_data


class EchoExecutor(Executor):
    def launchTask(self, driver, task):
        driver.sendStatusUpdate({"task_id": task["task_id"], "state": "TASK_RUNNING"})
        note = f"started {task['task_id']['value']} pid {os.getpid()}"
        driver.sendFrameworkMessage(encode_data(note.encode()))

    def reregistered(self, driver, agent_info):
        driver.sendFrameworkMessage(encode_data(f"reregistered pid {os.getpid()}".encode()))

    def killTask(self, driver, task_id):
        driver.sendStatusUpdate({"task_id": task_id, "state": "TASK_KILLED"})

    def frameworkMessage(self, driver, message):
        text = decode_data(message).decode()
        if text.startswith("finish "):
            driver.sendStatusUpdate({"task_id": {"value": text.split()[1]}, "state": "TASK_FINISHED"})
        else:
            driver.sendFrameworkMessage(encode_data(f"echo {text}".encode()))

    def shutdown(self, driver):
        sys.exit(0)


if __name__ == "__main__":
    MesosExecutorDriver(EchoExecutor(), use_addict=True).run()
