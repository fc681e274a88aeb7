# shellcheck shell=bash
# tests/lib/cygnetd.sh — cygnetd as a test node. Source tests/lib/ns.sh first.
#
#   CYGNETD                      the binary (default $root/$BUILD/cygnetd)
#   cygnetd_start NAME [ARGS...] check and start cygnetd in namespace NAME with
#                                $(ns_dir NAME)/cygnet.conf, log to
#                                $(ns_dir NAME)/cygnetd.log, wait until it runs
#   cygnetd_stop NAME            SIGTERM, wait for "cygnetd stopped" (5 s)
#   cygnetd_log NAME             print the log path
#   cygnetd_count NAME WHAT      the number in "WHAT N" or "WHAT: N" on the
#                                last datapath counter line of the log
CYGNETD=${CYGNETD:-${root:-.}/${BUILD:-build/rel}/cygnetd}
declare -A CYGNETD_PIDS=()

cygnetd_log() { printf '%s/cygnetd.log' "$(ns_dir "$1")"; }

cygnetd_start() {
	local n=$1 d pid
	shift
	d=$(ns_dir "$n")
	"$CYGNETD" --check-config "$d/cygnet.conf" >&2 || fail "cygnetd in $n rejects its config"
	pid=$(ns_bg "$n" "$d/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
		--config "$d/cygnet.conf" --pidfile "$d/cygnetd.pid" "$@")
	CYGNETD_PIDS[$n]=$pid
	at_cleanup "kill $pid"
	wait_for "grep -q 'started, IKE on UDP' '$d/cygnetd.log'" 5 \
		"cygnetd in $n did not start: $(tail -n 5 "$d/cygnetd.log" 2>/dev/null)"
	log "cygnetd $n up (pid $pid)"
}

cygnetd_stop() {
	local n=$1 pid=${CYGNETD_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_for "grep -q 'cygnetd stopped' '$(cygnetd_log "$n")'" 5 "cygnetd in $n did not stop"
	unset "CYGNETD_PIDS[$n]"
}

cygnetd_count() {
	grep -o "$2[: ] *[0-9]*" "$(cygnetd_log "$1")" | tail -n 1 | grep -o '[0-9]*$'
}
