"""A pymesos framework that records everything it hears, and a raw /api/v1/scheduler helper."""
from __future__ import annotations

import json
import threading
import time
from collections import deque

import requests
from addict import Dict
from pymesos import MesosSchedulerDriver, Scheduler, decode_data

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"}


def scalar(name: str, value: float) -> dict:
    return {"name": name, "type": "SCALAR", "scalar": {"value": value}}


def command_task(task_id: str, agent_id: str, command: str, cpus=0.1, mem=32,
                 with_resources: bool = True) -> dict:
    task = {"task_id": {"value": task_id}, "agent_id": {"value": agent_id},
            "name": f"e2e-{task_id}", "command": {"value": command}}
    if with_resources:
        task["resources"] = [scalar("cpus", cpus), scalar("mem", mem)]
    return task


def operator_call(master_addr: str, body: dict) -> requests.Response:
    """POST one v1 operator call to /api/v1."""
    return requests.post(f"http://{master_addr}/api/v1", data=json.dumps(body),
                         headers={"Content-Type": "application/json", "Accept": "application/json"},
                         timeout=10)


def post_call(master_addr: str, body, content_type: str | None = "application/json",
              headers: dict | None = None, method: str = "POST") -> requests.Response:
    """Send `body` (a dict is JSON-encoded, a str/bytes goes as is) to /api/v1/scheduler."""
    data = json.dumps(body) if isinstance(body, dict) else body
    hdrs = dict(headers or {})
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    return requests.request(method, f"http://{master_addr}/api/v1/scheduler",
                            data=data, headers=hdrs, timeout=10)


class RecordingScheduler(Scheduler):
    """Records callbacks under one condition variable so tests can wait on them."""

    def __init__(self):
        self.cond = threading.Condition()
        self.updates: list[Dict] = []       # every status update, in arrival order
        self.offers: list[Dict] = []        # every offer received
        self.pending: deque = deque()       # offers the test has not taken yet
        self.errors: list[str] = []
        self.registered_ids: list[str] = []
        self.reregistrations = 0
        self.disconnections = 0
        self.messages: list[tuple[str, bytes]] = []      # (executor id, decoded data)
        self.executor_losses: list[tuple[str, int]] = [] # (executor id, wait status)

    def _record(self, fn):
        with self.cond:
            fn()
            self.cond.notify_all()

    def registered(self, driver, framework_id, master_info):
        self._record(lambda: (self.registered_ids.append(framework_id["value"]),
                              self.pending.clear()))

    def reregistered(self, driver, master_info):
        def fn():
            self.reregistrations += 1
            self.pending.clear()  # offers never survive a resubscription
        self._record(fn)

    def disconnected(self, driver):
        def fn():
            self.disconnections += 1
            self.pending.clear()
        self._record(fn)

    def resourceOffers(self, driver, offers):
        self._record(lambda: (self.offers.extend(offers), self.pending.extend(offers)))

    def offerRescinded(self, driver, offer_id):
        def fn():
            for o in list(self.pending):
                if o.id.value == offer_id.value:
                    self.pending.remove(o)
        self._record(fn)

    def statusUpdate(self, driver, update):
        self._record(lambda: self.updates.append(update))

    def error(self, driver, message):
        self._record(lambda: self.errors.append(message))

    def frameworkMessage(self, driver, executor_id, agent_id, data):
        self._record(lambda: self.messages.append((executor_id["value"], decode_data(data))))

    def executorLost(self, driver, executor_id, agent_id, status):
        self._record(lambda: self.executor_losses.append((executor_id["value"], status)))


class Framework:
    """A MesosSchedulerDriver (use_addict=True) plus helpers that wait with bounded timeouts."""

    def __init__(self, master_addr: str, name: str = "plinth-e2e", failover_timeout=None,
                 framework_id: str | None = None, role: str | None = None, user: str = "",
                 checkpoint: bool | None = None):
        info = {"user": user, "name": name, "hostname": "localhost"}
        if checkpoint is not None:
            info["checkpoint"] = checkpoint
        if role is not None:
            info["role"] = role
        if failover_timeout is not None:
            info["failover_timeout"] = failover_timeout
        if framework_id is not None:
            info["id"] = {"value": framework_id}
        self.master_addr = master_addr
        self.sched = RecordingScheduler()
        self.driver = MesosSchedulerDriver(self.sched, info, master_addr, use_addict=True)
        self._running = False

    # -- lifecycle
    def start(self, wait: bool = True, timeout: float = 20) -> "Framework":
        self.driver.start()
        self._running = True
        if wait:
            self.wait(lambda s: s.registered_ids or s.reregistrations,
                      timeout, "SUBSCRIBED (registered/reregistered)")
        return self

    def stop(self, failover: bool = False, timeout: float = 20) -> bool:
        """driver.stop(failover) then a bounded driver.join(); True if the I/O thread ended."""
        if not self._running:
            return True
        self._running = False
        self.driver.stop(failover)
        joiner = threading.Thread(target=self.driver.join, daemon=True)
        joiner.start()
        joiner.join(timeout)
        return not joiner.is_alive()

    @property
    def framework_id(self) -> str | None:
        return self.driver.framework_id

    # -- waiting
    def wait(self, predicate, timeout: float, what: str):
        """Wait until predicate(scheduler) is truthy (evaluated under the lock); return its value."""
        deadline = time.monotonic() + timeout
        with self.sched.cond:
            while True:
                result = predicate(self.sched)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}\n"
                                         f"{self._summary()}")
                self.sched.cond.wait(min(left, 0.25))

    def _summary(self) -> str:
        s = self.sched
        ups = [f"{u.task_id.value}:{u.state}:{u.get('reason', '')}" for u in s.updates]
        return (f"  framework_id={self.framework_id} registered={s.registered_ids} "
                f"reregistrations={s.reregistrations} disconnections={s.disconnections}\n"
                f"  offers received={len(s.offers)} pending={len(s.pending)}\n"
                f"  updates={ups}\n  errors={s.errors}")

    def take_offer(self, timeout: float = 15) -> Dict:
        """The oldest offer not yet used by the test."""
        self.wait(lambda s: s.pending, timeout, "an offer")
        with self.sched.cond:
            return self.sched.pending.popleft()

    def offer_count(self) -> int:
        with self.sched.cond:
            return len(self.sched.offers)

    def update_count(self) -> int:
        with self.sched.cond:
            return len(self.sched.updates)

    def updates_for(self, task_id: str) -> list[Dict]:
        with self.sched.cond:
            return [u for u in self.sched.updates if u.task_id.value == task_id]

    def states(self, task_id: str) -> list[str]:
        return [u.state for u in self.updates_for(task_id)]

    def wait_update(self, task_id: str, timeout: float, states=None, since: int = 0,
                    reason: str | None = None) -> Dict:
        """First update for `task_id` (at index >= since) in `states` and with `reason`, if given."""
        states = {states} if isinstance(states, str) else states

        def match(s):
            for u in s.updates[since:]:
                if (u.task_id.value == task_id and (states is None or u.state in states)
                        and (reason is None or u.get("reason") == reason)):
                    return u
            return None
        return self.wait(match, timeout, f"task {task_id} update state in {states} "
                                         f"reason={reason} (since #{since})")

    def wait_terminal(self, task_id: str, timeout: float) -> Dict:
        return self.wait_update(task_id, timeout, TERMINAL)

    # -- calls
    def launch(self, offer: Dict, tasks: list[dict], filters: dict | None = None) -> None:
        operation = {"type": "LAUNCH", "launch": {"task_infos": tasks}}
        self.driver.acceptOffers([offer.id], [operation], filters)

    def launch_command(self, task_id: str, command: str, timeout: float = 15, **kw) -> Dict:
        """Take an offer and launch one command task on it; returns the offer used."""
        offer = self.take_offer(timeout)
        self.launch(offer, [command_task(task_id, offer.agent_id.value, command, **kw)])
        return offer

    def kill(self, task_id: str) -> None:
        self.driver.killTask({"value": task_id})

    def reconcile(self, task_ids: list[str]) -> None:
        self.driver.reconcileTasks([{"task_id": {"value": t}} for t in task_ids])
