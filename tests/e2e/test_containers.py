"""Containers through pymesos against real plinth processes: cgroup limits, namespaces, images
without a Docker daemon, the fetcher, failure messages, statistics and sandbox files.

Tests that need root, cgroups or a static busybox skip with the reason when the host lacks them."""
from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
from functools import partial
from pathlib import Path

import pytest
import requests

from images import build_image, busybox_is_static, install_busybox_hint
from mesos_client import command_task
from plinth_procs import describe, pids_with_cmdline, wait_gone


def start_isolated(make_cluster, isolation: str, *extra: str):
    """A cluster whose agent runs with `--isolation`; skips when the agent refuses it here."""
    if os.geteuid() != 0:
        pytest.skip(f"--isolation={isolation} needs a root agent")
    flags = [f"--isolation={isolation}", f"--cgroups_root=plinth-e2e-{uuid.uuid4().hex[:8]}", *extra]
    try:
        return make_cluster(agent_flags=flags)
    except AssertionError as error:
        # The agent refuses isolators the host cannot give it; that refusal is the skip reason.
        if "Failed to start the agent" in str(error):
            line = next(l for l in str(error).splitlines() if "Failed to start the agent" in l)
            print(f"skipping: {line}")
            pytest.skip(line)
        raise


def test_memory_limit_fails_the_task_and_spares_its_neighbour(make_cluster, make_framework):
    cluster = start_isolated(make_cluster, "cgroups/cpu,cgroups/mem,cgroups/pids")
    fw = make_framework(cluster.master_addr)
    offer = fw.take_offer()
    agent = offer.agent_id.value
    # `tail` keeps a whole newline-free input in memory: 512 MiB of it.
    hog = "head -c 536870912 /dev/zero | tail; sleep 30"
    fw.launch(offer, [command_task("neighbour", agent, "sleep 60", mem=64),
                      command_task("hog", agent, hog, mem=64)])
    update = fw.wait_terminal("hog", timeout=30)
    assert update.state == "TASK_FAILED", update
    assert update.get("reason") == "REASON_CONTAINER_LIMITATION_MEMORY", update
    assert "Memory limit exceeded: Requested: 64MB" in update.get("message", ""), update
    assert [r["name"] for r in update["limitation"]["resources"]] == ["mem"], update
    fw.wait_update("neighbour", 15, "TASK_RUNNING")
    time.sleep(0.5)
    assert fw.states("neighbour")[-1] == "TASK_RUNNING", fw.states("neighbour")
    fw.kill("neighbour")
    assert fw.wait_terminal("neighbour", timeout=15).state == "TASK_KILLED"


def test_kill_takes_every_process_of_the_container(make_cluster, make_framework):
    cluster = start_isolated(make_cluster, "cgroups/pids,cgroups/mem")
    fw = make_framework(cluster.master_addr)
    marker = f"sleep {7000 + os.getpid() % 1000}"
    fw.launch_command("forker", f"setsid {marker} & {marker} & {marker}", mem=64)
    fw.wait_update("forker", 20, "TASK_RUNNING")
    deadline = time.monotonic() + 10
    # The shell and its three sleeps (one of them in a session of its own) all match.
    while len(pids_with_cmdline(marker)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = pids_with_cmdline(marker)
    assert len(pids) == 4, describe(pids)
    fw.kill("forker")
    assert fw.wait_terminal("forker", timeout=15).state == "TASK_KILLED"
    left = wait_gone(pids, timeout=3)
    assert not left, f"processes survived the kill: {describe(left)}"


def container_statistics(cluster, task_id: str) -> dict:
    entries = requests.get(cluster.agent_url + "/monitor/statistics", timeout=10).json()
    return next(e["statistics"] for e in entries if e["executor_id"] == task_id)


def test_cfs_quota_holds_busy_loops_to_their_cpus(make_cluster, make_framework):
    cluster = start_isolated(make_cluster, "cgroups/cpu,cgroups/mem", "--cgroups_enable_cfs=true")
    fw = make_framework(cluster.master_addr)
    fw.launch_command("burn", "while :; do :; done & while :; do :; done", cpus=0.5, mem=64)
    fw.wait_update("burn", 20, "TASK_RUNNING")
    time.sleep(0.5)
    cpu = lambda s: s["cpus_user_time_secs"] + s["cpus_system_time_secs"]
    first, t0 = cpu(container_statistics(cluster, "burn")), time.monotonic()
    time.sleep(3)
    second, t1 = cpu(container_statistics(cluster, "burn")), time.monotonic()
    cores = (second - first) / (t1 - t0)
    print(f"cpus 0.5 under CFS: {cores:.2f} cores used")
    assert 0.3 < cores < 0.7, cores
    stats = container_statistics(cluster, "burn")
    assert stats["cpus_nr_throttled"] > 0, stats
    fw.kill("burn")
    fw.wait_terminal("burn", timeout=15)


def test_fork_bomb_is_contained(make_cluster, make_framework):
    cluster = start_isolated(make_cluster, "cgroups/pids,cgroups/mem", "--cgroups_pids_max=64")
    fw = make_framework(cluster.master_addr)
    fw.launch_command("bomb", "bomb() { bomb | bomb & }; bomb 2>/dev/null; sleep 60", mem=64)
    fw.wait_update("bomb", 20, "TASK_RUNNING")
    time.sleep(1)
    start = time.monotonic()
    assert requests.get(cluster.agent_url + "/health", timeout=5).status_code == 200
    assert time.monotonic() - start < 1
    assert container_statistics(cluster, "bomb")["processes"] <= 64
    fw.kill("bomb")
    assert fw.wait_terminal("bomb", timeout=15).state == "TASK_KILLED"


def test_pid_namespace(make_cluster, make_framework):
    cluster = start_isolated(make_cluster, "namespaces/pid")
    fw = make_framework(cluster.master_addr)
    fw.launch_command("ns", 'echo "ppid=$PPID"; ls -d /proc/[0-9]* | wc -l')
    update = fw.wait_terminal("ns", timeout=20)
    assert update.state == "TASK_FINISHED", update
    lines = cluster.sandbox_files("ns")[0].read_text().split()
    assert lines[0] == "ppid=1", lines
    assert int(lines[1]) <= 4, lines


@pytest.fixture
def registry(tmp_path) -> Path:
    if not busybox_is_static():
        pytest.skip(install_busybox_hint())
    path = tmp_path / "registry"
    build_image(path, extra_files={"/srv/only-in-image.txt": "hello from the image\n"})
    return path


def image_task(task_id: str, agent_id: str, command: str, image: str = "busybox:latest") -> dict:
    task = command_task(task_id, agent_id, command, mem=64)
    task["container"] = {"type": "MESOS", "mesos": {"image": {"type": "DOCKER", "docker": {"name": image}}}}
    return task


def test_task_runs_in_a_busybox_image(make_cluster, make_framework, registry):
    cluster = start_isolated(make_cluster, "filesystem/linux,docker/runtime,namespaces/pid",
                             f"--docker_registry={registry}", "--image_providers=docker")
    fw = make_framework(cluster.master_addr)
    offer = fw.take_offer()
    agent = offer.agent_id.value
    command = ("test -x /bin/busybox && cat /srv/only-in-image.txt && "
               "if test -e /etc/debian_version; then echo host-visible; else echo host-hidden; fi && "
               "echo \"$IMAGE_GREETING\" > \"$MESOS_SANDBOX/out\" && echo sandbox=$MESOS_SANDBOX && pwd")
    fw.launch(offer, [image_task("boxed", agent, command), image_task("missing", agent, "true", "nosuch:1.0")])
    update = fw.wait_terminal("boxed", timeout=60)
    assert update.state == "TASK_FINISHED", update
    out = cluster.sandbox_files("boxed")[0].read_text().split("\n")
    assert out[:4] == ["hello from the image", "host-hidden", "sandbox=/mnt/mesos/sandbox", "/mnt/mesos/sandbox"], out
    assert cluster.sandbox_files("boxed", "out")[0].read_text() == "from-the-image\n"
    missing = fw.wait_terminal("missing", timeout=30)
    assert missing.state == "TASK_FAILED", missing
    assert missing.get("reason") == "REASON_CONTAINER_PREPARE_FAILED", missing
    assert "nosuch:1.0" in missing.get("message", ""), missing


def test_command_check_runs_inside_the_image(make_cluster, make_framework, registry):
    """A COMMAND check sees what its task sees: the image's files, its sandbox at
    /mnt/mesos/sandbox, and the container's own pid namespace."""
    cluster = start_isolated(make_cluster, "filesystem/linux,docker/runtime,namespaces/pid",
                             f"--docker_registry={registry}", "--image_providers=docker")
    fw = make_framework(cluster.master_addr)
    offer = fw.take_offer()
    task = image_task("checked", offer.agent_id.value, "touch $MESOS_SANDBOX/ready; sleep 600")
    check = ("test -f /srv/only-in-image.txt && test ! -e /etc/debian_version && "
             "test -f /mnt/mesos/sandbox/ready && test $(ls -d /proc/[0-9]* | wc -l) -le 12")
    task["health_check"] = {"type": "COMMAND", "command": {"value": check}, "delay_seconds": 0.2,
                            "interval_seconds": 0.3, "timeout_seconds": 5, "consecutive_failures": 3,
                            "grace_period_seconds": 20}
    fw.launch(offer, [task])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(u.get("healthy") is True for u in fw.updates_for("checked")):
        time.sleep(0.1)
    assert any(u.get("healthy") is True for u in fw.updates_for("checked")), fw.updates_for("checked")
    fw.kill("checked")
    assert fw.wait_terminal("checked", 20).state == "TASK_KILLED"


def test_docker_containerizer_points_at_the_mesos_form(fw):
    offer = fw.take_offer()
    task = command_task("docker", offer.agent_id.value, "true")
    task["container"] = {"type": "DOCKER", "docker": {"image": "busybox"}}
    fw.launch(offer, [task])
    update = fw.wait_terminal("docker", timeout=20)
    assert update.state == "TASK_FAILED", update
    assert "type: MESOS" in update.get("message", ""), update


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(tmp_path):
    """A local HTTP server over a directory holding `tools.tar.gz`; yields (base URL, request log)."""
    root = tmp_path / "www"
    (root / "src").mkdir(parents=True)
    (root / "src" / "hello.sh").write_text("#!/bin/sh\necho fetched and extracted\n")
    os.chmod(root / "src" / "hello.sh", 0o755)
    with tarfile.open(root / "tools.tar.gz", "w:gz") as tar:
        tar.add(root / "src" / "hello.sh", arcname="tools/hello.sh")
    requests_seen: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self):
            requests_seen.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests_seen
    server.shutdown()


def test_fetcher_extracts_caches_and_reports_failures(cluster, make_framework, file_server):
    base, seen = file_server
    fw = make_framework(cluster.master_addr)
    for task_id in ["fetch-1", "fetch-2"]:
        offer = fw.take_offer()
        task = command_task(task_id, offer.agent_id.value, "./tools/hello.sh")
        task["command"]["uris"] = [{"value": f"{base}/tools.tar.gz", "extract": True, "cache": True}]
        fw.launch(offer, [task])
        update = fw.wait_terminal(task_id, timeout=30)
        assert update.state == "TASK_FINISHED", update
        assert cluster.sandbox_files(task_id)[0].read_text() == "fetched and extracted\n"
    assert seen.count("/tools.tar.gz") == 1, seen
    offer = fw.take_offer()
    task = command_task("fetch-bad", offer.agent_id.value, "true")
    task["command"]["uris"] = [{"value": f"{base}/no-such-archive.tar.gz"}]
    fw.launch(offer, [task])
    update = fw.wait_terminal("fetch-bad", timeout=30)
    assert update.state == "TASK_FAILED", update
    assert update.get("reason") == "REASON_FETCHER_FAILED", update
    assert "404" in update.get("message", ""), update
    assert fw.states("fetch-bad") == ["TASK_FAILED"], fw.states("fetch-bad")


def test_failed_task_message_carries_its_stderr(fw):
    fw.launch_command("oops", "echo 'missing config.yml' >&2; exit 2")
    update = fw.wait_terminal("oops", timeout=20)
    assert update.state == "TASK_FAILED", update
    assert update.get("message", "").startswith("Command exited with status 2"), update
    assert update.get("message", "").endswith("missing config.yml"), update


def test_statistics_and_sandbox_files(cluster, fw):
    fw.launch_command("ticker", "ln -s / escape; while :; do echo tick; sleep 0.05; done")
    fw.wait_update("ticker", 20, "TASK_RUNNING")
    time.sleep(0.5)
    stats = requests.get(cluster.agent_url + "/monitor/statistics", timeout=10).json()
    entry = next(e for e in stats if e["executor_id"] == "ticker")
    assert entry["statistics"]["mem_rss_bytes"] > 0, entry
    assert "cpus_user_time_secs" in entry["statistics"], entry
    sandbox = cluster.sandbox_files("ticker")[0].parent
    read = lambda: requests.get(cluster.agent_url + "/files/read",
                                params={"path": f"{sandbox}/stdout", "offset": 0}, timeout=10).json()["data"]
    first = read()
    time.sleep(0.3)
    assert len(read()) > len(first)
    dots = requests.get(cluster.agent_url + "/files/read", params={"path": f"{sandbox}/../../../../etc/passwd"})
    assert dots.status_code == 400
    link = requests.get(cluster.agent_url + "/files/read", params={"path": f"{sandbox}/escape/etc/passwd"})
    assert link.status_code == 404
    listing = requests.get(cluster.agent_url + "/files/browse", params={"path": str(sandbox)}).json()
    assert sorted(Path(e["path"]).name for e in listing) == ["escape", "stderr", "stdout"]
    fw.kill("ticker")
    fw.wait_terminal("ticker", timeout=15)


def test_agent_refuses_isolation_it_cannot_provide(plinth_bin, cli):
    """Unknown isolators, and cgroups for an agent that is not root, stop the agent at start-up
    with a message saying why, instead of running tasks unisolated."""
    work = Path(tempfile.mkdtemp(prefix="plinth-nobody-"))
    os.chmod(work, 0o777)
    try:
        code, _, err = cli("agent", "--master=127.0.0.1:1", f"--work_dir={work}", "--isolation=cgroups/mem,network/cni",
                           timeout=30)
        assert code != 0 and "Unknown or unsupported isolator 'network/cni'" in err, err
        if os.geteuid() != 0:
            argv = [plinth_bin]
        elif os.access(plinth_bin, os.X_OK, effective_ids=False) and all(
                os.stat(p).st_mode & 0o001 for p in Path(plinth_bin).parents if str(p) != "/"):
            argv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", plinth_bin]
        else:
            pytest.skip("the plinth binary is not reachable by user nobody, so the non-root refusal cannot be shown")
        if subprocess.run([*argv, "--help"], capture_output=True, timeout=30).returncode != 0:
            pytest.skip("user nobody cannot run the plinth binary here (its path or libraries are not readable)")
        proc = subprocess.run([*argv, "agent", "--master=127.0.0.1:1", f"--work_dir={work}",
                               "--isolation=cgroups/mem"], capture_output=True, text=True, timeout=30)
        assert proc.returncode != 0, proc
        assert "only a root agent can manage" in proc.stderr + proc.stdout, proc
    finally:
        shutil.rmtree(work, ignore_errors=True)
