#!/usr/bin/env python3
"""The seed document's framework, driven through pymesos: a scheduler that launches
`echo 'Hello, Mesos!'` (cpus 0.1, mem 32) with acceptOffers(LAUNCH) on every offer.

Used in-process by test_seed_framework.py and as a command by test_cli.py, the way a newcomer
would run it:  python seed_framework.py HOST:PORT [--tasks N] [--timeout S]
The last line printed is 'P passed, F failed'; exit status 0 when all N tasks ended TASK_FINISHED.
"""
import argparse
import sys
import threading

from addict import Dict
from pymesos import MesosSchedulerDriver, Scheduler

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE"}


class MyScheduler(Scheduler):
    """Launches one task per offer until `limit` tasks were launched, then declines offers."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self.next_id = 0
        self.states = {}
        self.done = threading.Event()
        self.lock = threading.Lock()

    def registered(self, driver, framework_id, master_info):
        print(f"Registered with framework id: {framework_id['value']}", flush=True)

    def resourceOffers(self, driver, offers):
        for offer in offers:
            with self.lock:
                if self.next_id >= self.limit:
                    driver.declineOffer(offer.id, Dict(refuse_seconds=60))
                    continue
                task = Dict()
                task.task_id.value = str(self.next_id)
                self.next_id += 1
            task.agent_id.value = offer.agent_id.value
            task.name = "my-task"
            task.command.value = "echo 'Hello, Mesos!'"
            task.resources = [
                Dict(name="cpus", type="SCALAR", scalar=Dict(value=0.1)),
                Dict(name="mem", type="SCALAR", scalar=Dict(value=32)),
            ]
            operation = Dict()
            operation.type = "LAUNCH"
            operation.launch.task_infos = [task]
            driver.acceptOffers([offer.id], [operation])

    def statusUpdate(self, driver, update):
        with self.lock:
            self.states[update.task_id.value] = update.state
            if sum(s in TERMINAL for s in self.states.values()) >= self.limit:
                self.done.set()
        print(f"task {update.task_id.value} -> {update.state}", flush=True)

    def error(self, driver, message):
        print(f"Error from Mesos: {message}", flush=True)


def make_driver(scheduler, master):
    framework = Dict()
    framework.user = ""  # the agent runs the task as its own user
    framework.name = "MyFramework"
    framework.hostname = "localhost"
    return MesosSchedulerDriver(scheduler, framework, master, use_addict=True)


def stop_driver(driver, timeout=20.0):
    """driver.stop() (which tears the framework down) and a join bounded by `timeout`."""
    driver.stop()
    joiner = threading.Thread(target=driver.join, daemon=True)
    joiner.start()
    joiner.join(timeout)


def run(master, tasks, timeout):
    """Run the framework until `tasks` tasks are terminal or `timeout` s passed; returns the scheduler."""
    scheduler = MyScheduler(tasks)
    driver = make_driver(scheduler, master)
    driver.start()
    try:
        scheduler.done.wait(timeout)
    finally:
        stop_driver(driver)
    return scheduler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("master", nargs="?", default="127.0.0.1:5050")
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    scheduler = run(args.master, args.tasks, args.timeout)
    with scheduler.lock:
        passed = sum(s == "TASK_FINISHED" for s in scheduler.states.values())
    print(f"{passed} passed, {args.tasks - passed} failed", flush=True)
    sys.exit(0 if passed == args.tasks else 1)


if __name__ == "__main__":
    main()
