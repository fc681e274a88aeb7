#!/usr/bin/env bash
# cygnetd as initiator: a connection with start_action = start sets up an
# IKE SA with PSK, asks for a virtual IP and a CHILD SA from a stock
# strongSwan responder; both sides show the SA; SIGTERM makes cygnetd send
# the Delete and the responder drops the SA.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ikei
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

ns_create resp gw
ns_veth resp eth0 192.0.2.1/24 gw eth0 192.0.2.100/24
# the responder owns 10.1.0.1 so that its side of the child exists
ns_exec resp ip addr add 10.1.0.1/24 dev lo

conf_sw_gw "$(ns_dir resp)/swanctl.conf" cygnet-initiator-psk "dns = 10.1.0.53"

gwd=$(ns_dir gw)
conf_cyg_rw "$gwd/cygnet.conf" cygnet-initiator-psk

charon_start resp
charon_load resp "$(ns_dir resp)/swanctl.conf"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q \"IKE SA 'home' established\" '$gwd/cygnetd.log'" 15 \
	"cygnetd did not establish (see $gwd/cygnetd.log)"
wait_for "grep -q \"CHILD SA 'home' installed\" '$gwd/cygnetd.log'" 5 "no CHILD SA"
grep -q 'installing virtual IP 10\.3\.0\.1' "$gwd/cygnetd.log" || fail "no virtual IP"
sas=$(charon_swanctl resp --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "responder: no ESTABLISHED IKE SA"
grep -q 'INSTALLED' <<<"$sas" || fail "responder: no INSTALLED CHILD SA"
grep -q '10\.3\.0\.1/32' <<<"$sas" || fail "responder: CHILD SA not narrowed to the virtual IP"
# no local_addrs: cygnetd picks its source address from the routing table,
# so its NAT-D hashes match what the responder sees on this direct link
# (cygnetd does see "the peer is behind a NAT": kernel-libipsec makes charon
# fake one to force UDP encapsulation)
grep -q 'remote host is behind NAT' "$(charon_log resp)" &&
	fail "responder saw a NAT on a direct link"
log "cygnetd established as initiator"
kill "$gwpid"
wait_for_quiet "! kill -0 $gwpid" 5 || fail "cygnetd did not stop"
wait_for "! charon_swanctl resp --list-sas | grep -q ESTABLISHED" 5 \
	"responder kept the SA after cygnetd's Delete"
charon_stop resp
log "ok"
