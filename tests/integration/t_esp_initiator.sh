#!/usr/bin/env bash
# cygnetd as a road warrior: it initiates to a stock strongSwan gateway
# (kernel-libipsec), gets a virtual IP, puts it on its TUN and reaches a LAN
# host behind the gateway from that address: ping and iperf3 (AES-256-GCM).
#   cyg (192.0.2.100, vip 10.3.0.1) --- gw (192.0.2.1 | 10.1.0.1) --- lan (10.1.0.2)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/confs.sh"
need_root
need_cmd ip unshare swanctl ping iperf3 "$CHARON_BIN" "$CYGNETD"

ns_create gw cyg lan
ns_veth gw eth0 192.0.2.1/24 cyg eth0 192.0.2.100/24
ns_veth gw eth1 10.1.0.1/24 lan eth0 10.1.0.2/24
ns_exec lan ip route add default via 10.1.0.1 || fail "lan default route"
ns_exec gw sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward"

conf_sw_gw "$(ns_dir gw)/swanctl.conf" cygnet-esp-initiator-psk
conf_cyg_rw "$(ns_dir cyg)/cygnet.conf" cygnet-esp-initiator-psk

charon_start gw
charon_load gw "$(ns_dir gw)/swanctl.conf"
cygnetd_start cyg
wait_for "grep -q \"CHILD SA 'home' in the userspace datapath\" '$(cygnetd_log cyg)'" 15 \
	"cygnetd did not install its CHILD SA"
grep -q 'virtual IP 10\.3\.0\.1 on cygnet0' "$(cygnetd_log cyg)" || fail "virtual IP not on the TUN"
ns_exec cyg ip -4 addr show dev cygnet0 | grep -q '10\.3\.0\.1/32' || fail "10.3.0.1 not on cygnet0"

if ! ns_exec cyg ping -c 3 -i 0.2 -W 2 10.1.0.2 >&2; then
	tail -n 20 "$(cygnetd_log cyg)" >&2
	fail "ping from cygnetd's virtual IP to the LAN failed"
fi
log "ping vip -> LAN through strongSwan ok"
ns_bg lan "$(ns_dir lan)/iperf3.log" iperf3 -s -1 -B 10.1.0.2 >/dev/null
wait_for "ns_exec lan ss -ltn | grep -q ':5201'" 5 "iperf3 server did not listen"
out=$(ns_exec cyg timeout 30 iperf3 -c 10.1.0.2 -t 3 -f m 2>&1) || {
	printf '%s\n' "$out" >&2
	fail "iperf3 failed"
}
mbits=$(printf '%s\n' "$out" | awk '/receiver/ { print $(NF-2) }')
log "iperf3 cygnetd RW -> strongSwan GW -> LAN: $mbits Mbit/s"
echo "RESULT esp_initiator iperf3 $mbits Mbit/s"
grep -q 'from 10\.3\.0\.1' "$(ns_dir lan)/iperf3.log" || fail "iperf3 did not come from the virtual IP"

cygnetd_stop cyg
ns_exec cyg ip -4 addr show dev cygnet0 2>/dev/null | grep -q '10\.3\.0\.1' && fail "vip left on the TUN"
wait_for "! charon_swanctl gw --list-sas | grep -q ESTABLISHED" 5 "gateway kept the SA"
charon_stop gw
log "ok"
