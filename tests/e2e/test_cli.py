"""`plinth agents`, `frameworks`, `tasks`, `task log` and `state` against a live cluster: tables,
`--json` that parses, `task log --follow` that prints new lines as they come, and exit codes."""
import json
import subprocess
import time

from mesos_client import command_task


def test_listing_commands(cluster, fw, cli):
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task("cli-done", offer.agent_id.value, "echo hello-from-task"),
                      command_task("cli-long", offer.agent_id.value, "sleep 600")])
    fw.wait_terminal("cli-done", 30)
    fw.wait_update("cli-long", 30, "TASK_RUNNING")
    master = f"--master={cluster.master_addr}"

    code, out, err = cli("agents", master)
    assert code == 0, err
    header, row = out.splitlines()[:2]
    assert header.split() == ["ID", "HOSTNAME", "ACTIVE", "CPUS", "MEM", "RUNNING"]
    assert row.split()[0] == offer.agent_id.value and row.split()[2] == "true" and row.split()[-1] == "1"
    assert "\x1b[" not in out, "no colour into a pipe"
    code, out, _ = cli("agents", master, "--json")
    assert code == 0 and json.loads(out)[0]["id"] == offer.agent_id.value

    code, out, _ = cli("frameworks", master)
    assert code == 0 and fw.framework_id in out
    code, out, _ = cli("frameworks", master, "--json")
    assert [f["id"] for f in json.loads(out)] == [fw.framework_id]

    code, out, _ = cli("tasks", master)
    assert code == 0 and "cli-long" in out and "cli-done" not in out
    code, out, _ = cli("tasks", master, "--all")
    assert "cli-done" in out and "TASK_FINISHED" in out
    code, out, _ = cli("tasks", master, "--all", "--json")
    assert {t["id"]: t["state"] for t in json.loads(out)} == {"cli-done": "TASK_FINISHED", "cli-long": "TASK_RUNNING"}

    code, out, _ = cli("state", master)
    assert code == 0 and "1 active of 1" in out and "1 TASK_RUNNING" in out
    code, out, _ = cli("state", master, "--json")
    assert json.loads(out)["slaves"][0]["id"] == offer.agent_id.value

    code, out, err = cli("task", "log", "cli-done", master)
    assert code == 0 and out == "hello-from-task\n", (out, err)
    code, _, err = cli("task", "log", "no-such-task", master)
    assert code == 1 and "No task 'no-such-task'" in err
    code, _, err = cli("agents", "--master=127.0.0.1:1")
    assert code == 1 and "Cannot reach" in err


def test_task_log_follow_prints_lines_as_they_come(cluster, fw, plinth_bin):
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task("ticker", offer.agent_id.value,
                                   "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done")])
    fw.wait_update("ticker", 30, "TASK_RUNNING")
    follower = subprocess.Popen([plinth_bin, "task", "log", "ticker", "--follow", f"--master={cluster.master_addr}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        seen = []
        deadline = time.monotonic() + 20
        while len(seen) < 8 and time.monotonic() < deadline:
            line = follower.stdout.readline()
            if line:
                seen.append(line.strip())
        assert len(seen) >= 8, seen
        assert seen[:8] == [f"tick-{i}" for i in range(8)], seen
    finally:
        follower.kill()
        follower.wait(timeout=10)
