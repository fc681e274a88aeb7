#!/usr/bin/env bash
# The datapath's threads under load: two cygnetd with `datapath_threads = 2`,
# transport mode with `encap = yes` (so ESP and the IKE rekeys share the
# NAT-T socket that the RX thread reads; IKE found there goes back to the
# IKE loop), the CHILD SA rekeyed every 20000 packets while iperf3 pushes
# TCP through it for 6 s, and the control socket asked for the SAs and their
# counters (`cygnetctl sa list`: an op under the datapath's lock) every
# 0.2 s meanwhile. The transfer must complete, a must rekey several times
# (b installing each new SA), every query must answer, and both daemons must
# stop cleanly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dts
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"
CTL=$root/${BUILD:-build/rel}/cygnetctl
need_cmd iperf3 "$CTL"

ESP_PAIR_THREADS_a=2
ESP_PAIR_THREADS_b=2
esp_pair_setup transport start "		encap = yes" \
	"				rekey_packets = 20000
				rand_packets = 0
				life_packets = 10000000"
cygnetd_start b --vici-socket "$(ns_dir b)/cygnet.vici"
cygnetd_start a --vici-socket "$(ns_dir a)/cygnet.vici"
for n in a b; do
	grep -q "outbound and inbound ESP on threads of their own" "$(cygnetd_log $n)" ||
		fail "$n does not run its datapath on threads"
done
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath.*(UDP encapsulated out)\" '$(cygnetd_log a)'" 15 \
	"a did not install the UDP-encapsulated CHILD SA"
ns_exec a ping -c 2 -i 0.2 -W 2 192.0.2.2 >&2 || fail "ping a -> b failed"

# queries while the transfer runs (bounded: 40 x 0.2 s)
q=$(ns_dir a)/queries
(
	for i in $(seq 40); do
		if timeout 10 "$CTL" --socket "$(ns_dir a)/cygnet.vici" sa list >/dev/null 2>&1; then
			echo ok
		else
			echo "failed $i"
		fi
		sleep 0.2
	done
) >"$q" &
qpid=$!
at_cleanup "kill $qpid"
ns_bg b "$(ns_dir b)/iperf3.log" iperf3 -s -1 -B 192.0.2.2 >/dev/null
wait_for "ns_exec b ss -ltn | grep -q ':5201'" 5 "iperf3 server did not listen"
if ! out=$(ns_exec a timeout 40 iperf3 -c 192.0.2.2 -t 6 -f m 2>&1); then
	printf '%s\n' "$out" >&2
	tail -n 30 "$(cygnetd_log a)" >&2
	fail "iperf3 a -> b failed while rekeying"
fi
mbits=$(printf '%s\n' "$out" | awk '/receiver/ { print $(NF-2) }')
log "iperf3 through rekeys: ${mbits:-?} Mbit/s"
wait_for_quiet "! kill -0 $qpid" 15 || fail "the queries did not finish"
nq=$(grep -c '^ok$' "$q")
[ "$nq" -eq 40 ] || fail "only $nq of 40 sa list queries answered: $(grep -v '^ok$' "$q" | head -3)"
ns_exec a ping -c 2 -i 0.2 -W 2 192.0.2.2 >&2 || fail "ping a -> b after the transfer failed"

cygnetd_stop a
cygnetd_stop b
ra=$(grep -c "CHILD SA 'host' rekeyed, deleting the old one" "$(cygnetd_log a)")
ib=$(grep -c "CHILD SA 'host' in the userspace datapath" "$(cygnetd_log b)")
log "rekeys by a: $ra; CHILD SAs installed on b: $ib"
[ "$ra" -ge 3 ] || fail "a rekeyed $ra times, expected at least 3"
[ "$ib" -gt "$ra" ] || fail "b installed $ib CHILD SAs for $ra rekeys"
grep -q "datapath lock" "$(cygnetd_log a)" "$(cygnetd_log b)" && fail "a lock error was logged"
log "ok: $mbits Mbit/s, $ra rekeys, 40 of 40 queries answered, clean stops"
