#!/usr/bin/env python3
"""The seed document's framework as it is written, against libmesos's native Python API
(`mesos.interface.mesos_pb2`, `mesos.native.MesosSchedulerDriver`), here served by the
pure-Python driver in native_shim/ over the native (libprocess) protocol.

Kept from the seed: its structure, the v0 names (`slave_id`, `mesos_pb2.Offer.Operation.LAUNCH`),
`acceptOffers` and `driver.run()`. Added for the tests: each task asks for cpus 0.1 and mem 32 (a
task without resources is refused); statusUpdate counts terminal states and stops the driver when
all tasks are; offers past the N-th task are declined; MASTER (`host:port`, `master@host:port` or
`zk://host:port/path`), `--tasks N` and `--timeout S` arguments. The last line printed is
'P passed, F failed'; the exit status is 0 when all N tasks ended TASK_FINISHED.

    python seed_native_framework.py zk://127.0.0.1:2181/mesos [--tasks N] [--timeout S]
"""
import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "native_shim"))

from mesos.interface import mesos_pb2  # noqa: E402
from mesos.native import MesosSchedulerDriver  # noqa: E402

TERMINAL = {mesos_pb2.TASK_FINISHED, mesos_pb2.TASK_FAILED, mesos_pb2.TASK_KILLED, mesos_pb2.TASK_LOST,
            mesos_pb2.TASK_ERROR, mesos_pb2.TASK_DROPPED, mesos_pb2.TASK_GONE,
            mesos_pb2.TASK_GONE_BY_OPERATOR, mesos_pb2.TASK_UNREACHABLE}


class MyScheduler(object):
    def __init__(self, tasks=5):
        self.task_id = 0
        self.tasks = tasks
        self.states = {}  # task ID -> the name of its last state

    def registered(self, driver, framework_id, master_info):
        print("Registered with framework id: {}".format(framework_id.value), flush=True)

    def reregistered(self, driver, master_info):
        pass

    def resourceOffers(self, driver, offers):
        for offer in offers:
            if self.task_id >= self.tasks:
                driver.declineOffer(offer.id, mesos_pb2.Filters(refuse_seconds=60))
                continue
            task = mesos_pb2.TaskInfo()
            task.task_id.value = str(self.task_id)
            self.task_id += 1
            task.slave_id.value = offer.slave_id.value
            task.name = "my-task"
            task.command.value = "echo 'Hello, Mesos!'"
            for name, value in (("cpus", 0.1), ("mem", 32)):
                resource = task.resources.add()
                resource.name = name
                resource.type = mesos_pb2.Value.SCALAR
                resource.scalar.value = value
            operation = mesos_pb2.Offer.Operation()
            operation.type = mesos_pb2.Offer.Operation.LAUNCH
            operation.launch.task_infos.extend([task])
            driver.acceptOffers([offer.id], [operation])

    def statusUpdate(self, driver, update):
        state = mesos_pb2.TaskState.Name(update.state)
        self.states[update.task_id.value] = state
        print("task {} -> {}".format(update.task_id.value, state), flush=True)
        if sum(mesos_pb2.TaskState.Value(s) in TERMINAL for s in self.states.values()) >= self.tasks:
            driver.stop()

    def disconnected(self, driver):
        pass

    def error(self, driver, message):
        print("Error from Mesos: {}".format(message), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("master", nargs="?", default="zk://127.0.0.1:2181/mesos")
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    framework = mesos_pb2.FrameworkInfo()
    framework.user = ""  # If mesos is running as root
    framework.name = "MyFramework"
    scheduler = MyScheduler(args.tasks)
    driver = MesosSchedulerDriver(scheduler, framework, args.master)
    timer = threading.Timer(args.timeout, driver.stop)  # gives up: the framework is torn down
    timer.daemon = True
    timer.start()
    status = driver.run()
    passed = sum(state == "TASK_FINISHED" for state in scheduler.states.values())
    print("driver {}".format(mesos_pb2.Status.Name(status)), flush=True)
    print("{} passed, {} failed".format(passed, args.tasks - passed), flush=True)
    sys.exit(0 if passed == args.tasks else 1)


if __name__ == "__main__":
    main()
