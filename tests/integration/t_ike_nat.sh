#!/usr/bin/env bash
# A strongSwan road warrior behind a NAT (iptables MASQUERADE in its own
# namespace) connects to cygnetd with PSK: both sides detect the NAT, the
# RW floats to port 4500, cygnetd follows it to the NAT's mapped port and
# marks the CHILD SA UDP-encapsulated; DPD from cygnetd crosses the NAT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=iken
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl iptables "$CHARON_BIN" "$CYGNETD"

ns_create gw nat rw
ns_veth rw eth0 198.51.100.2/24 nat eth0 198.51.100.1/24
ns_veth nat eth1 192.0.2.254/24 gw eth0 192.0.2.1/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo
ns_exec rw ip route add default via 198.51.100.1 || fail "RW default route"
ns_exec nat sysctl -qw net.ipv4.ip_forward=1 || fail "forwarding in the NAT"
ns_exec nat iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE ||
	skip "iptables NAT not available"

gwd=$(ns_dir gw)
conf_gw_psk "$gwd/cygnet.conf" "cygnet-ike-test-psk" "dpd_delay = 2s"

conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-ike-test-psk"

gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
if ! charon_swanctl rw --initiate --child home --timeout 15 >&2; then
	tail -n 30 "$gwd/cygnetd.log" >&2
	fail "initiate through the NAT failed"
fi
sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "RW: no ESTABLISHED IKE SA"
grep -q 'INSTALLED, TUNNEL-in-UDP' <<<"$sas" || fail "RW: CHILD SA not UDP-encapsulated"
grep -q 'local host is behind NAT' "$(charon_log rw)" || fail "RW did not detect its NAT"
grep -q 'NAT detected:.*the peer is behind a NAT' "$gwd/cygnetd.log" ||
	fail "cygnetd did not detect the NAT"
grep -q 'peer now at 192\.0\.2\.254\[' "$gwd/cygnetd.log" ||
	fail "cygnetd did not follow the RW to the NAT's port 4500 mapping"
grep -q "CHILD SA 'net' installed.*(UDP encap)" "$gwd/cygnetd.log" ||
	fail "cygnetd: CHILD SA not UDP-encapsulated"
# DPD from cygnetd (dpd_delay = 2s) is answered through the NAT
wait_for "grep -q 'received INFORMATIONAL response' '$gwd/cygnetd.log'" 10 \
	"no DPD answered through the NAT"
wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 10 "no ping through the NATed tunnel"
log "ESTABLISHED through the NAT, DPD answered, ping through the tunnel"
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'deleted by peer' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"
charon_stop rw
log "ok"
