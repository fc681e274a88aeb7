#!/usr/bin/env bash
# A stock strongSwan road warrior (charon + kernel-libipsec) connects to
# cygnetd with PSK (aes256gcm16-prfsha256-x25519), asks for a virtual IP and
# gets one from a pool with DNS; both ends list the SA, the RW's CHILD SA is
# INSTALLED, a ping crosses the tunnel; then the RW terminates and cygnetd
# logs the delete.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ike
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo

gwd=$(ns_dir gw)
conf_gw_psk "$gwd/cygnet.conf" "cygnet-ike-test-psk"

conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-ike-test-psk"

"$CYGNETD" --check-config "$gwd/cygnet.conf" >&2 || fail "cygnetd rejects its config"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
log "cygnetd up (pid $gwpid)"

charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
if ! charon_swanctl rw --initiate --child home --timeout 15 >&2; then
	tail -n 40 "$gwd/cygnetd.log" >&2
	tail -n 40 "$(charon_log rw)" >&2
	fail "initiate from the road warrior failed"
fi

sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "RW: no ESTABLISHED IKE SA"
grep -q 'INSTALLED' <<<"$sas" || fail "RW: no INSTALLED CHILD SA"
grep -q 'installing new virtual IP 10\.3\.0\.1' "$(charon_log rw)" ||
	fail "RW got no virtual IP from the pool"
grep -q 'processing INTERNAL_IP4_DNS attribute' "$(charon_log rw)" ||
	fail "RW got no DNS attribute"
grep -q 'IKE SA .rw. established' "$gwd/cygnetd.log" || fail "cygnetd: SA not established"
grep -q "CHILD SA 'net' installed" "$gwd/cygnetd.log" || fail "cygnetd: CHILD SA not installed"
grep -q 'assigning virtual IP 10\.3\.0\.1' "$gwd/cygnetd.log" || fail "cygnetd: no virtual IP assigned"
log "ESTABLISHED with virtual IP 10.3.0.1 and DNS"

# traffic: the RW's virtual IP reaches 10.1.0.1 behind the gateway through
# ESP in UDP (libipsec on the RW, cygnet's userspace datapath)
wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 10 "no ping through the tunnel"
log "ping through the tunnel ok"

# no key material in cygnetd's log (the PSK and nothing that looks like one)
grep -q 'cygnet-ike-test-psk' "$gwd/cygnetd.log" && fail "the PSK appears in the log"

charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'received DELETE for the IKE SA' '$gwd/cygnetd.log'" 5 \
	"cygnetd did not log the delete"
wait_for "grep -q 'IKE SA deleted: deleted by peer' '$gwd/cygnetd.log'" 5 \
	"cygnetd kept the SA"
charon_stop rw
kill "$gwpid"
wait_for_quiet "! kill -0 $gwpid" 5 || fail "cygnetd did not stop on SIGTERM"
grep -q 'cygnetd stopped' "$gwd/cygnetd.log" || fail "no clean stop"
log "ok"
