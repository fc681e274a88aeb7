#!/usr/bin/env bash
# Tests tests/lib/ns.sh itself: a bridge in its own namespace joins three
# namespaces (L2/L3 reachability without ping: a TCP connect to a closed
# port must be *refused*, which only a reachable host answers), wait_for
# fails after its timeout with the message, and a test that fails or is
# killed still leaves no namespace, process or temp dir behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/ns.sh"
need_root
need_cmd ip timeout

# Reachable iff the TCP connect is refused (RST) rather than timing out.
tcp_refused() {
	local out
	out=$(ns_exec "$1" timeout 3 bash -c "echo >/dev/tcp/$2/9" 2>&1)
	grep -q 'refused' <<<"$out"
}

ns_create br a b c
ns_bridge br br0
ns_bridge_port a eth0 198.51.100.1/24 br br0
ns_bridge_port b eth0 198.51.100.2/24 br br0
ns_bridge_port c eth0 198.51.100.3/24 br br0
for pair in "a 198.51.100.2" "b 198.51.100.3" "c 198.51.100.1"; do
	# shellcheck disable=SC2086
	wait_for "tcp_refused $pair" 5 "no reachability over the bridge: $pair"
done
# An address nobody has is not reachable (the check can fail).
tcp_refused a 198.51.100.9 && fail "198.51.100.9 answered"
log "bridge ok"

start=$(date +%s%N)
(wait_for false 1 "expected timeout") 2>"$TEST_DIR/wf.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc = 1 ] || fail "wait_for returned $rc, want 1"
grep -q 'expected timeout' "$TEST_DIR/wf.err" || fail "wait_for message missing"
[ $ms -ge 900 ] && [ $ms -lt 5000 ] || fail "wait_for took $ms ms for 1 s"
wait_for_quiet false 0 && fail "wait_for_quiet false succeeded"
wait_for "true" 1
log "wait_for ok"

# A child test: namespaces with a background process, then ends by $1.
# It execs: call it only in a subshell.
child() {
	exec env NS_PREFIX=cyg bash -c '
		. "$1/../lib/ns.sh"
		ns_create x y
		ns_veth x v0 - y v1 -
		ns_bg x "$TEST_DIR/sleep.log" sleep 300 >/dev/null
		echo "$(ns_name x) $(ns_name y) $TEST_DIR"
		case $2 in
		fail) fail "on purpose" ;;
		hang) wait_for false 60 ;;
		skip) skip "on purpose" ;;
		esac' child "$here" "$1"
}

check_gone() {
	local x=$1 y=$2 dir=$3
	! ip netns list | grep -q -e "^$x\b" -e "^$y\b" || fail "$4: namespaces left"
	[ ! -e "$dir" ] || fail "$4: $dir left"
}

# shellcheck disable=SC2046 # three words on purpose
set -- $(child fail 2>/dev/null)
check_gone "$1" "$2" "$3" fail
log "cleanup after fail ok"
[ "$(child skip 2>/dev/null | tail -n1)" = "SKIP: on purpose" ] || fail "skip output"
(child skip) >/dev/null 2>&1
[ $? = 77 ] || fail "skip did not exit 77"

child hang >"$TEST_DIR/hang.out" 2>/dev/null &
cpid=$!
at_cleanup "kill -TERM $cpid"
wait_for "[ -s '$TEST_DIR/hang.out' ]" 5 "hanging child did not start"
read -r x y dir <"$TEST_DIR/hang.out"
# The child's sleep runs in namespace x (once ip netns exec has entered it).
wait_for "[ -n \"\$(ip netns pids $x)\" ]" 5 "no process in $x"
sleep_pid=$(ip netns pids "$x")
kill -TERM "$cpid"
wait "$cpid"
rc=$?
[ $rc = 143 ] || fail "killed child exited $rc, want 143"
check_gone "$x" "$y" "$dir" killed
# shellcheck disable=SC2086
! kill -0 $sleep_pid 2>/dev/null || fail "child's process $sleep_pid survived"
log "cleanup after TERM ok"
