# Plinth developer entry points. `make test` is the single test command (see scripts/test.sh).
.PHONY: test build dev bench bench-native bench-isolated bench-recover bench-failover bench-state venv e2e

test:
	scripts/test.sh

# Release build of the plinth binary (.build/release/plinth).
build:
	swift build -c release --product plinth

# Master + one agent in one process; Ctrl-C stops everything.
dev:
	swift run plinth dev

bench:
	swift build -c release --product plinth
	swift run -c release plinth-bench launch --tasks 1000

# The same with every task in its own cgroups (root), then 1,000 running containers destroyed.
bench-native:
	swift build -c release --product plinth
	swift run -c release plinth-bench launch --tasks 1000 --protocol=native

bench-isolated:
	swift build -c release --product plinth
	swift run -c release plinth-bench launch --tasks 1000 --isolation=cgroups/cpu,cgroups/mem,cgroups/pids

# An agent with 1,000 running tasks of a checkpointing framework is killed and restarted.
bench-recover:
	swift build -c release --product plinth
	swift run -c release plinth-bench recover --tasks 1000

# Two masters on a real ZooKeeper; the leader dies with 10,000 simulated agents registered.
bench-failover:
	swift build -c release --product plinth-bench
	swift run -c release plinth-bench failover --agents 10000 --tasks-per-agent 10

# A master holding 10,000 agents and 200,000 tasks: /master/state polled by ten clients.
bench-state:
	swift build -c release --product plinth-bench
	swift run -c release plinth-bench state --agents 10000 --tasks 100000 --completed 100000

# Only the Python venv for the end-to-end suite.
venv:
	scripts/setup-venv.sh

# Only the end-to-end suite, against the debug plinth binary.
e2e:
	swift build --product plinth
	PLINTH_BIN="$$(swift build --show-bin-path)/plinth" "$$(scripts/setup-venv.sh | tail -n 1)" -m pytest -v tests/e2e
