#!/usr/bin/env bash
# Two cygnetd instances, ESP transport mode host to host (AES-256-GCM, raw
# ESP since there is no NAT): ping and iperf3 from a to b through the SA;
# the policy routing keeps IKE and ESP themselves out of the tunnel.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"

esp_pair_setup transport start
cygnetd_start b
cygnetd_start a
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath: reqid [0-9]*, transport mode\" '$(cygnetd_log a)'" 15 \
	"a did not install the transport CHILD SA"
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath: reqid [0-9]*, transport mode\" '$(cygnetd_log b)'" 5 \
	"b did not install the transport CHILD SA"
ns_exec a ip route show table 201 >&2

if ! out=$(ns_exec a ping -c 3 -i 0.2 -W 2 192.0.2.2 2>&1); then
	printf '%s\n' "$out" >&2
	tail -n 20 "$(cygnetd_log a)" "$(cygnetd_log b)" >&2
	fail "ping a -> b through the transport SA failed"
fi
log "ping a -> b ok"
mbits=$(esp_pair_iperf)
log "iperf3 a -> b (transport, aes256gcm16): $mbits Mbit/s"
echo "RESULT esp_transport iperf3 $mbits Mbit/s"

cygnetd_stop a
cygnetd_stop b
grep -E 'datapath (counters|verdict|drop)' "$(cygnetd_log b)" >&2
raw=$(grep -o 'raw [0-9]*' "$(cygnetd_log b)" | tail -n1 | grep -o '[0-9]*')
[ "${raw:-0}" -gt 100 ] || fail "b counted too few raw ESP packets: ${raw:-none}"
grep -q "ESP [0-9a-f]* in: [1-9][0-9]* packets" "$(cygnetd_log b)" ||
	fail "b counted no ESP on its inbound SA"
log "ok"
