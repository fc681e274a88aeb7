# shellcheck shell=bash
# tests/lib/ns.sh — network namespace helpers for integration tests.
#
# Source it from a bash test:   . "$(dirname "$0")/../lib/ns.sh"
# Sourcing registers ns_cleanup on EXIT (and turns INT/TERM into an exit), so
# every namespace the test created is emptied and deleted whatever happens.
#
# Variables
#   NS_PREFIX   name prefix, default "cyg"; namespaces are "$NS_PREFIX-$$-NAME"
#   TEST_DIR    per-test temp dir (created on source, removed on exit unless
#               KEEP_TEST_DIR=1); each namespace also gets $TEST_DIR/NAME/
#   NS_LIST     namespaces created so far (full names)
#
# Logging:   log MSG...          "[ +12.3s] MSG" on stderr
#            fail MSG...         log "FAIL: MSG", exit 1 (cleanup runs)
#            skip MSG...         print "SKIP: MSG", exit 77 (run.sh: skipped)
#            need_root, need_cmd CMD...   skip unless root / CMD exists
# Namespaces:
#   ns_name NAME                 print the full name of namespace NAME
#   ns_dir NAME                  print $TEST_DIR/NAME (created by ns_create)
#   ns_create NAME...            new namespaces with lo up
#   ns_exec NAME CMD...          run CMD in NAME (foreground)
#   ns_bg NAME LOGFILE CMD...    run CMD in NAME in the background; prints pid
#   ns_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2   veth pair between two namespaces,
#                                addresses in CIDR form ("-" for none), links up
#   ns_bridge BRNS BR            bridge BR in namespace BRNS (create BRNS first)
#   ns_bridge_port NS IF ADDR BRNS BR     veth from NS (IF, ADDR) into bridge BR
# Waiting:
#   wait_for "CMD" TIMEOUT [MSG] poll CMD (eval'd) every 0.1 s for up to
#                                TIMEOUT seconds; fail with MSG on timeout
#   wait_for_quiet "CMD" TIMEOUT same but returns 1 instead of failing
# Cleanup:
#   at_cleanup CMD               run CMD (eval'd) first during cleanup (do
#                                not set your own EXIT trap: it would
#                                replace ns_cleanup)
#   ns_cleanup                   what the EXIT trap runs; safe to call twice

NS_PREFIX=${NS_PREFIX:-cyg}
NS_LIST=()
NS_CLEANUP_CMDS=()
NS_PORT_SEQ=0
NS_T0=$(date +%s%N)
NS_CLEANED=0
TEST_DIR=$(mktemp -d "/tmp/${NS_PREFIX}-$$.XXXXXX")

# Elapsed seconds since the library was sourced, e.g. "12.3".
ns_elapsed() {
	local ms=$((($(date +%s%N) - NS_T0) / 1000000))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

log() { printf '[%6ss] %s\n' "$(ns_elapsed)" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
# The last line of the output is what run.sh shows as the skip reason.
skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root for network namespaces"; }
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || skip "missing $c"
	done
}

ns_name() { printf '%s-%s-%s' "$NS_PREFIX" "$$" "$1"; }
ns_dir() { printf '%s/%s' "$TEST_DIR" "$1"; }

ns_create() {
	local n full
	for n in "$@"; do
		full=$(ns_name "$n")
		ip netns add "$full" || fail "ip netns add $full"
		NS_LIST+=("$full")
		mkdir -p "$(ns_dir "$n")"
		ip -n "$full" link set lo up || fail "lo up in $full"
	done
}

ns_exec() {
	local n=$1
	shift
	ip netns exec "$(ns_name "$n")" "$@"
}

# Background jobs die in ns_cleanup through `ip netns pids`; the pid is
# printed so a test can also stop one early.
ns_bg() {
	local n=$1 logf=$2
	shift 2
	ip netns exec "$(ns_name "$n")" "$@" >"$logf" 2>&1 </dev/null &
	echo $!
}

# Give IF an address (unless "-") and bring it up, inside namespace NS.
ns_if_up() {
	local full=$1 ifn=$2 addr=$3
	if [ "$addr" != - ]; then
		ip -n "$full" addr add "$addr" dev "$ifn" || fail "addr $addr on $ifn"
	fi
	ip -n "$full" link set "$ifn" up || fail "link up $ifn in $full"
}

# The pair is created inside NS1 with its peer directly in NS2, so no name
# ever appears in the root namespace (parallel tests cannot collide).
ns_veth() {
	local f1 f2
	f1=$(ns_name "$1")
	f2=$(ns_name "$4")
	ip -n "$f1" link add "$2" type veth peer name "$5" netns "$f2" ||
		fail "veth $1/$2 <-> $4/$5"
	ns_if_up "$f1" "$2" "$3"
	ns_if_up "$f2" "$5" "$6"
}

ns_bridge() {
	local full
	full=$(ns_name "$1")
	ip -n "$full" link add "$2" type bridge || fail "bridge $2 in $1"
	# No STP and no forwarding delay: ports forward at once.
	ip -n "$full" link set "$2" type bridge forward_delay 0 stp_state 0
	ip -n "$full" link set "$2" up || fail "bridge $2 up"
}

ns_bridge_port() {
	local ns=$1 ifn=$2 addr=$3 brns=$4 br=$5 port
	NS_PORT_SEQ=$((NS_PORT_SEQ + 1))
	port="p$NS_PORT_SEQ-$ifn"
	port=${port:0:15}
	ns_veth "$ns" "$ifn" "$addr" "$brns" "$port" -
	ip -n "$(ns_name "$brns")" link set "$port" master "$br" ||
		fail "enslave $port to $br"
}

# wait_for "CMD" TIMEOUT [MSG]: CMD is eval'd, its output discarded.
wait_for_quiet() {
	local cmd=$1 deadline
	deadline=$(($(date +%s%N) / 1000000 + ${2%.*} * 1000))
	while :; do
		eval "$cmd" >/dev/null 2>&1 && return 0
		[ $(($(date +%s%N) / 1000000)) -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

wait_for() {
	wait_for_quiet "$1" "$2" && return 0
	fail "${3:-timed out after $2 s waiting for: $1}"
}

at_cleanup() { NS_CLEANUP_CMDS+=("$1"); }

# TERM every process in the namespace, give them 2 s, then KILL.
ns_kill_all() {
	local full=$1 pids i
	pids=$(ip netns pids "$full" 2>/dev/null)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for i in $(seq 20); do
		[ -n "$(ip netns pids "$full" 2>/dev/null)" ] || return 0
		sleep 0.1
	done
	pids=$(ip netns pids "$full" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
	sleep 0.1
}

# Ends namespaces before the test does (a benchmark's rounds): their
# processes, the namespaces and their directories; ns_create may make them
# again.
ns_remove() {
	local n full
	for n in "$@"; do
		full=$(ns_name "$n")
		ns_kill_all "$full"
		ip netns del "$full" 2>/dev/null
		rm -rf "$(ns_dir "$n")"
	done
}

ns_cleanup() {
	local rc=$? i full
	[ "$NS_CLEANED" = 0 ] || return "$rc"
	NS_CLEANED=1
	set +e	# a test's `set -e` must not cut the cleanup short
	trap - EXIT INT TERM
	for ((i = ${#NS_CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${NS_CLEANUP_CMDS[i]}" >/dev/null 2>&1
	done
	for full in "${NS_LIST[@]}"; do
		ns_kill_all "$full"
	done
	for full in "${NS_LIST[@]}"; do
		ip netns del "$full" 2>/dev/null
	done
	if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then
		log "kept $TEST_DIR"
	else
		rm -rf "$TEST_DIR"
	fi
	return "$rc"
}

trap ns_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
