#!/usr/bin/env bash
# Runs every test file: two at a time (a file spends most of its time waiting on servers,
# pods and timeouts, not on a CPU), then, one after another, the files that stop a part
# of the lab the others share while they run. Extra arguments go to both mocha runs.
set -uo pipefail
cd "$(dirname "$0")/../.."

alone=(
  test/lab/real-node.test.ts       # node.sh down and up: the real node
  test/e2e/connection-drop.test.ts # kills the simulated nodes' kubelet and starts it again
  test/e2e/shared-store.test.ts    # stops the lab's PostgreSQL and starts it again
  test/e2e/demo.test.ts            # npm run demo: lab.sh up, which starts again a part it finds down
)
ignore=()
for file in "${alone[@]}"; do ignore+=(--ignore "$file"); done

rc=0
mocha --parallel --jobs "${WHARF_TEST_JOBS:-2}" "${ignore[@]}" "$@" 'test/**/*.test.ts' || rc=$?
mocha "$@" "${alone[@]}" || rc=$?
exit "$rc"
