#!/usr/bin/env bash
# Runs every tests/integration/t_*.sh (each builds and removes its own network
# namespaces). Needs root for namespaces; prints one summary line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD=${BUILD:-build/rel}
pass=0 fail=0 skip=0 failed=""
if [ "$(id -u)" != 0 ]; then
	echo "integration: not root, network namespace tests skipped"
	exit 0
fi
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log="build/integration-$name.log"
	mkdir -p build
	start=$(date +%s)
	timeout --kill-after=10 300 bash "$t" >"$log" 2>&1
	rc=$?
	dur=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "integration: $name: ok (${dur}s)" ;;
	77) skip=$((skip + 1)); echo "integration: $name: skipped: $(tail -n1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "integration: $name: FAILED (rc $rc, ${dur}s)"; tail -n 60 "$log" ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
