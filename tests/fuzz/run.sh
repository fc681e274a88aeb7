#!/usr/bin/env bash
# tests/fuzz/run.sh replay|long SECONDS TARGET...
#   replay: run every committed corpus file through each target, then fuzz
#           each target for SECONDS from that corpus (new inputs go to a
#           scratch copy, the committed corpus is not touched).
#   long:   fuzz each target for SECONDS, keeping new inputs in build/fuzz/corpus-NAME.
# A crash, leak or sanitizer report fails the run.
set -u
mode=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
fail=0 pass=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds="$here/corpus/$name"
	mkdir -p "$seeds"
	work="build/fuzz/corpus-$name"
	[ "$mode" = replay ] && work=$(mktemp -d)
	mkdir -p "$work" build/fuzz/artifacts
	log="build/fuzz/$name.log"
	if [ "$mode" = replay ] && [ -n "$(ls -A "$seeds")" ]; then
		if ! "$bin" -runs=0 "$seeds" >"$log.replay" 2>&1; then
			echo "fuzz: $name: corpus replay FAILED"; tail -n 40 "$log.replay"
			fail=$((fail + 1)); continue
		fi
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/artifacts/"$name"- "$work" "$seeds" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		secs_run=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
		echo "fuzz: $name: ok ($execs runs, ${secs_run:-?}/s, $cov, ${secs}s)"
		pass=$((pass + 1))
	else
		echo "fuzz: $name: CRASH"; tail -n 60 "$log"
		fail=$((fail + 1))
	fi
	[ "$mode" = replay ] && rm -rf "$work"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
