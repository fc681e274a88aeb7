#!/usr/bin/env bash
# Harness smoke test: two strongSwan charons in two namespaces on one veth
# (responder 192.0.2.1, initiator 192.0.2.100), PSK, the initiator asks for
# a virtual IP and the child 10.1.0.0/24. Both sides must list the IKE SA as
# ESTABLISHED and the CHILD SA as INSTALLED; after terminate, neither side
# keeps an SA. TCP from the virtual IP crosses the
# tunnel (iperf3, if installed). Proves tests/lib/ns.sh and tests/lib/charon.sh work.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

need_root
need_cmd ip unshare swanctl "$CHARON_BIN"

ns_create resp init
ns_veth resp eth0 192.0.2.1/24 init eth0 192.0.2.100/24
# The responder owns 10.1.0.1 so that the child's remote side exists.
ns_exec resp ip addr add 10.1.0.1/24 dev lo

conf_gw_psk "$(ns_dir resp)/swanctl.conf" cygnet-smoke-test-psk
conf_rw_psk "$(ns_dir init)/swanctl.conf" cygnet-smoke-test-psk

charon_start resp
charon_start init
charon_load resp "$(ns_dir resp)/swanctl.conf"
charon_load init "$(ns_dir init)/swanctl.conf"

charon_initiate init home 15
for side in init resp; do
	sas=$(charon_swanctl "$side" --list-sas)
	printf '%s\n' "$sas" >&2
	grep -q 'ESTABLISHED' <<<"$sas" || fail "$side: no ESTABLISHED IKE SA"
	grep -q 'INSTALLED' <<<"$sas" || fail "$side: no INSTALLED CHILD SA"
done
charon_swanctl init --list-sas | grep -q 'local  .*10\.3\.0\.' ||
	grep -q 'installing new virtual IP 10.3.0.' "$(charon_log init)" ||
	fail "initiator got no virtual IP from the pool"
log "both sides ESTABLISHED"
# Traffic through libipsec's ESP-in-UDP: virtual IP -> 10.1.0.1 (iperf3,
# if installed).
if command -v iperf3 >/dev/null; then
	ns_bg resp "$(ns_dir resp)/iperf3.out" iperf3 -s -1 -B 10.1.0.1 >/dev/null
	wait_for "ns_exec resp ss -ltn | grep -q 10.1.0.1:5201" 5 "iperf3 -s did not start"
	ns_exec init timeout 20 iperf3 -c 10.1.0.1 -n 256K >&2 ||
		fail "no TCP traffic through the tunnel"
	log "TCP through the tunnel ok"
fi

charon_swanctl init --terminate --ike home --timeout 10 ||
	fail "terminate failed"
wait_for "! charon_swanctl resp --list-sas | grep -q ESTABLISHED" 5 \
	"responder still lists an IKE SA after terminate"
charon_stop init
charon_stop resp
log "ok"
