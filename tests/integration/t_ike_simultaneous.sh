#!/usr/bin/env bash
# Simultaneous initiation: two cygnetd gateways, each with start_action =
# start toward the other, started at the same moment. Both IKE SAs (and
# CHILD SAs) get made; the one whose IKE_SA_INIT nonces hold the lowest is
# deleted by its initiator (docs/ike.md, "Collisions"), so both ends end
# with exactly one IKE SA and one CHILD SA, the same SPIs, every CHILD SA
# installed in the datapath removed again but one, and a ping crosses the
# tunnel. Then CHILD rekeys from both ends (rekey_time = 4s, no jitter)
# must leave one CHILD SA, the same on both ends.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=sim
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"

CYGNETCTL=$root/${BUILD:-build/rel}/cygnetctl
need_root
need_cmd ip ping "$CYGNETD" "$CYGNETCTL"
ns_create a b
ns_veth a eth0 192.0.2.1/24 b eth0 192.0.2.2/24
# life_time well above rekey_time: cygnetd enforces it, and a refused
# rekey is retried after 10-30 s (the default, rekey_time + 10%, would
# delete the CHILD SA first on a loaded machine)
cextra=$(printf '\t\t\t\trekey_time = 4s\n\t\t\t\tlife_time = 60s\n\t\t\t\trand_time = 0s')
for n in a b; do
	if [ $n = a ]; then
		esp_pair_conf a 192.0.2.1 192.0.2.2 a.example b.example tunnel start "" \
			"$cextra"
	else
		esp_pair_conf b 192.0.2.2 192.0.2.1 b.example a.example tunnel start "" \
			"$cextra"
	fi
	printf 'control {\n\tsocket = %s/cygnet.vici\n}\n' "$(ns_dir $n)" >>"$(ns_dir $n)/cygnet.conf"
	"$CYGNETD" --check-config "$(ns_dir $n)/cygnet.conf" >&2 || fail "$n: config refused"
done

# both at once (not cygnetd_start, which waits for each)
for n in a b; do
	d=$(ns_dir $n)
	pid=$(ns_bg $n "$d/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
		--config "$d/cygnet.conf" --pidfile "$d/cygnetd.pid")
	at_cleanup "kill $pid"
	eval "pid_$n=$pid"
done
for n in a b; do
	wait_for "grep -q 'simultaneous initiation' '$(cygnetd_log $n)'" 15 \
		"$n never saw the second IKE SA (see $(cygnetd_log $n))"
done
# the loser is deleted by its initiator; the other end sees the Delete
wait_for "[ \$(grep -c 'IKE SA deleted' '$(cygnetd_log a)') -ge 1 ] &&
	[ \$(grep -c 'IKE SA deleted' '$(cygnetd_log b)') -ge 1 ]" 10 "the duplicate IKE SA stayed"
grep -h 'simultaneous initiation' "$(cygnetd_log a)" "$(cygnetd_log b)" >&2

sas() { ns_exec "$1" timeout 10 "$CYGNETCTL" --socket "$(ns_dir "$1")/cygnet.vici" sa list 2>&1; }
ike_count() { sas "$1" | grep -c 'ESTABLISHED'; }
child_count() { sas "$1" | grep -c 'INSTALLED'; }
# the IKE SPIs and the CHILD SA's SPIs (ours in, ours out)
spis() {
	ns_exec "$1" timeout 10 "$CYGNETCTL" --socket "$(ns_dir "$1")/cygnet.vici" --json sa list 2>&1 |
		grep -o '"\(initiator-spi\|responder-spi\|spi-in\|spi-out\)": *"[0-9a-f]*"' |
		grep -o '[0-9a-f]\{8,\}' | tr '\n' ' '
}
# a's in/out is b's out/in
same_sas() {
	local x y
	read -r -a x <<<"$(spis a)"
	read -r -a y <<<"$(spis b)"
	[ "${#x[@]}" -eq 4 ] && [ "${x[0]}" = "${y[0]}" ] && [ "${x[1]}" = "${y[1]}" ] &&
		[ "${x[2]}" = "${y[3]}" ] && [ "${x[3]}" = "${y[2]}" ]
}
for n in a b; do
	wait_for "[ \$(ike_count $n) -eq 1 ] && [ \$(child_count $n) -eq 1 ]" 10 \
		"$n: not exactly one IKE SA and one CHILD SA: $(sas $n)"
done
sas a >&2
same_sas || fail "a and b kept different SAs: '$(spis a)' vs '$(spis b)'"

if ! out=$(ns_exec a ping -c 3 -i 0.2 -W 2 192.0.2.2 2>&1); then
	printf '%s\n' "$out" >&2
	fail "ping a -> b through the tunnel failed"
fi
log "one IKE SA and one CHILD SA on both ends ($(spis a)), ping ok"
for n in a b; do
	st=$(ns_exec $n timeout 10 "$CYGNETCTL" --socket "$(ns_dir $n)/cygnet.vici" stats 2>&1)
	grep -Eq 'sa-duplicates[^0-9]*1\b' <<<"$st" || fail "$n: sa-duplicates is not 1: $st"
done

# both ends rekey the CHILD SA every 4 s without jitter, so their rekeys
# start within a few ms of each other; on a link this fast the peer's
# request mostly arrives first (tests/unit/test_ike_e2e_collide.c forces
# the collision deterministically); either way one CHILD SA must be left
sleep 9
grep -h 'rekey collision\|CHILD SA .host. rekeyed' "$(cygnetd_log a)" "$(cygnetd_log b)" >&2
log "$(cat "$(cygnetd_log a)" "$(cygnetd_log b)" | grep -c 'rekey collision, the peer rekeys') CHILD rekey collisions"
for n in a b; do
	wait_for "[ \$(ike_count $n) -eq 1 ] && [ \$(child_count $n) -eq 1 ]" 10 \
		"$n: not one CHILD SA after the rekeys: $(sas $n)"
done
wait_for same_sas 5 "a and b kept different CHILD SAs: '$(spis a)' vs '$(spis b)'"
ns_exec a ping -c 2 -i 0.2 -W 2 192.0.2.2 >/dev/null 2>&1 || fail "no ping after the rekeys"

kill "$pid_a" "$pid_b"
wait_for "grep -q 'cygnetd stopped' '$(cygnetd_log a)' && grep -q 'cygnetd stopped' '$(cygnetd_log b)'" \
	10 "cygnetd did not stop"
# the pings went through ESP, not around the tunnel
grep -q "ESP [0-9a-f]* in: [1-9][0-9]* packets" "$(cygnetd_log b)" ||
	fail "b counted no ESP on an inbound SA"
for n in a b; do
	inst=$(grep -c "in the userspace datapath" "$(cygnetd_log $n)")
	gone=$(grep -c "ESP [0-9a-f]* in:" "$(cygnetd_log $n)")
	log "$n: $inst CHILD SAs installed, $gone removed"
	[ "$inst" -eq "$gone" ] || fail "$n installed $inst CHILD SAs but removed $gone"
done
log "ok"
