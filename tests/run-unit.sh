#!/usr/bin/env bash
# Runs every unit-test binary given, prints each result and one summary line.
set -u
pass=0 fail=0 failed=""
for t in "$@"; do
	name=$(basename "$t")
	if out=$(CK_DEFAULT_TIMEOUT=60 "$t" 2>&1); then
		pass=$((pass + 1))
		echo "unit: $name: $(echo "$out" | grep -E '^[0-9]+%:' | tail -n1)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "$out"
		echo "unit: $name: FAILED"
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "unit: failed:$failed"; exit 1; }
