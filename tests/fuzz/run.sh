#!/usr/bin/env bash
# tests/fuzz/run.sh replay|long SECONDS TARGET...
#   replay: run every committed corpus file through each target, then fuzz
#           each target for SECONDS from that corpus (new inputs go to a
#           scratch copy, the committed corpus is not touched).
#   long:   fuzz each target for SECONDS, keeping new inputs in
#           build/fuzz/corpus-NAME; FUZZ_JOBS targets run at once (default 1).
# A crash, leak, sanitizer report or an input running over FUZZ_TIMEOUT
# seconds (default 60) fails the run. Each target prints one line with its
# executions, executions per second, coverage and slowest input.
set -u
mode=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-1}
mkdir -p build/fuzz/artifacts build/fuzz/results

fuzz_one() {
	local bin=$1 name seeds work log execs rate cov
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds="$here/corpus/$name"
	mkdir -p "$seeds"
	log="build/fuzz/$name.log"
	if [ "$mode" = replay ]; then
		work=$(mktemp -d)
		if [ -n "$(ls -A "$seeds")" ] && ! "$bin" -runs=0 "$seeds" >"$log.replay" 2>&1; then
			echo "fuzz: $name: corpus replay FAILED"; tail -n 40 "$log.replay"
			rm -rf "$work"
			return 1
		fi
	else
		work="build/fuzz/corpus-$name"
		mkdir -p "$work"
	fi
	# a per-input limit that a loaded machine cannot trip: slow inputs are
	# found by their time in the log (stat::slowest_unit_time_sec), not here
	if "$bin" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/artifacts/"$name"- "$work" "$seeds" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
		slow=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
		echo "fuzz: $name: ok ($execs runs, ${rate:-?}/s, $cov, slowest input ${slow:-?}s, ${secs}s)"
		[ "$mode" = replay ] && rm -rf "$work"
		return 0
	fi
	echo "fuzz: $name: CRASH"; tail -n 60 "$log"
	[ "$mode" = replay ] && rm -rf "$work"
	return 1
}

pass=0 fail=0
if [ "$mode" = long ] && [ "$jobs" -gt 1 ]; then
	pids=() names=()
	for bin in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
		name=$(basename "$bin")
		fuzz_one "$bin" >"build/fuzz/results/$name" 2>&1 &
		pids+=($!) names+=("$name")
	done
	for i in "${!pids[@]}"; do
		if wait "${pids[$i]}"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
		cat "build/fuzz/results/${names[$i]}"
	done
else
	for bin in "$@"; do
		if fuzz_one "$bin"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
fi
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
