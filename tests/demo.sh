#!/usr/bin/env bash
# make demo: a stock strongSwan road warrior (charon + kernel-libipsec) connects
# to cygnetd in network namespaces, gets a virtual IP and DNS servers from a
# pool, and pings a host behind the gateway through the tunnel; cygnetctl
# shows the gateway's side over the control socket. Everything it
# creates is removed at the end, whatever happens.
#
#   rw 192.0.2.100 ---- 192.0.2.1 gw (cygnetd) 10.1.0.1 ---- lan 10.1.0.10
#   virtual IP from pool 10.3.0.0/28, DNS 10.1.0.53
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
NS_PREFIX=demo
. "$here/lib/ns.sh"
. "$here/lib/charon.sh"
. "$here/lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
CYGNETCTL=$root/$BUILD/cygnetctl
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "topology: road warrior, gateway (cygnetd), LAN host, each in its own network namespace"
ns_create gw rw lan
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_veth gw eth1 10.1.0.1/24 lan eth0 10.1.0.10/24
ns_exec lan ip route add default via 10.1.0.1
ns_exec gw sysctl -qw net.ipv4.ip_forward=1
echo "rw 192.0.2.100  <->  192.0.2.1 gw 10.1.0.1  <->  10.1.0.10 lan"

gwd=$(ns_dir gw)
conf_gw_psk "$gwd/cygnet.conf" "demo-secret-please-change"
conf_rw_psk "$(ns_dir rw)/swanctl.conf" "demo-secret-please-change"

say "cygnetd: check the configuration, then start"
"$CYGNETD" --check-config "$gwd/cygnet.conf" || fail "configuration rejected"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --config "$gwd/cygnet.conf" \
	--pidfile "$gwd/cygnetd.pid" --vici-socket "$gwd/cygnet.vici")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
grep 'started' "$gwd/cygnetd.log"

say "strongSwan road warrior: swanctl --initiate"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_swanctl rw --initiate --child home --timeout 15 || {
	tail -n 30 "$gwd/cygnetd.log"
	fail "the road warrior could not connect"
}

say "road warrior: swanctl --list-sas"
charon_swanctl rw --list-sas

say "gateway: what cygnetd logged"
grep -E 'established|installed|virtual IP' "$gwd/cygnetd.log"

say "gateway: cygnetctl sa list (the control socket)"
ns_exec gw "$CYGNETCTL" --socket "$gwd/cygnet.vici" sa list || fail "cygnetctl sa list failed"
say "gateway: cygnetctl pool leases"
ns_exec gw "$CYGNETCTL" --socket "$gwd/cygnet.vici" pool leases || fail "cygnetctl pool leases failed"

say "traffic: ping from the road warrior's virtual IP to the LAN host through the tunnel"
vip=$(ns_exec rw ip -4 -o addr show | grep -o '10\.3\.0\.[0-9]*' | head -n1)
ns_exec rw ping -c 3 -W 2 -I "${vip:-10.3.0.1}" 10.1.0.10 || fail "no traffic through the tunnel"
say "road warrior: the CHILD SA's counters after the ping"
charon_swanctl rw --list-sas | grep -E 'bytes|packets'

say "road warrior: swanctl --terminate"
charon_swanctl rw --terminate --ike home --timeout 10
wait_for "grep -q 'IKE SA deleted' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"
grep 'IKE SA deleted' "$gwd/cygnetd.log"
charon_stop rw
say "done: namespaces and processes are removed now"
