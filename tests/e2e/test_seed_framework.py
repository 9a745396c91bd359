"""The seed's framework (pymesos, `echo 'Hello, Mesos!'`) runs 20 tasks to TASK_FINISHED."""
import seed_framework

TASKS = 20


def test_seed_framework_runs_twenty_tasks(cluster):
    sched = seed_framework.run(cluster.master_addr, TASKS, timeout=150)

    with sched.lock:
        states = dict(sched.states)
    assert states == {str(i): "TASK_FINISHED" for i in range(TASKS)}, states

    for i in range(TASKS):
        files = cluster.sandbox_files(str(i), "stdout")
        assert files, f"no sandbox stdout for task {i} under {cluster.agent_dir}"
        for f in files:
            assert "Hello, Mesos!" in f.read_text(errors="replace"), f
