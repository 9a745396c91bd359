#!/usr/bin/env bash
# The project's single test command:
#   0. scripts/host-packages.sh             (as root: busybox-static for the image tests)
#   1. swift build --build-tests            (debug build of everything, tests included)
#   2. swift test --skip-build              (Swift unit and in-process tests)
#   3. scripts/setup-venv.sh                (Python venv with pytest + pymesos 0.3.15)
#   4. pytest -v tests/e2e                  (real plinth processes driven by pymesos), with
#      PLINTH_BIN set to the debug plinth binary built by `swift build --product plinth`
#
#   scripts/test.sh [PYTEST_ARGS...]        extra arguments go to pytest, e.g. -k offers
#
# Environment: E2E_VENV (venv dir, default <repo>/.venv-e2e), PYTHON (interpreter for the venv).
# Exits non-zero if any stage fails; a failing Swift test stage still runs the e2e stage.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

failed=()
stage_start=$SECONDS
section() {
  printf '\n==================== %s ====================\n' "$*"
  stage_start=$SECONDS
}
took() { printf -- '---- %s: %s (%ss)\n' "$1" "$2" "$((SECONDS - stage_start))"; }
die() {
  printf '\ntest.sh: %s\n' "$*" >&2
  exit 1
}

command -v swift >/dev/null || die "swift is not on PATH"

section "0/4 Host packages for the container tests: scripts/host-packages.sh"
scripts/host-packages.sh
took "host packages" ok

section "1/4 Swift build (debug, with tests): swift build --build-tests"
swift build --build-tests || die "swift build --build-tests failed"
took build ok

section "2/4 Swift tests: swift test --skip-build"
if swift test --skip-build; then
  took "swift test" ok
else
  took "swift test" FAILED
  failed+=("swift test")
fi

section "3/4 Python venv for the e2e suite: scripts/setup-venv.sh"
py=$(scripts/setup-venv.sh "${E2E_VENV:-$repo/.venv-e2e}" | tail -n 1) || die "venv setup failed"
[[ -x $py ]] || die "venv setup did not produce a python ($py)"
echo "python: $py"
took venv ok

section "4/4 End-to-end: pytest -v tests/e2e"
swift build --product plinth || die "swift build --product plinth failed"
bin_dir=$(swift build --show-bin-path) || die "swift build --show-bin-path failed"
export PLINTH_BIN=$bin_dir/plinth
echo "PLINTH_BIN=$PLINTH_BIN"
if "$py" -m pytest -v tests/e2e "$@"; then
  took e2e ok
else
  took e2e FAILED
  failed+=("e2e (tests/e2e)")
fi

section "Summary"
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "All stages passed."
