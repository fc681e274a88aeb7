#!/usr/bin/env bash
# One inbound SA accepts ESP in UDP and raw ESP (RFC 7296 2.23, RFC 3948).
# Two cygnetd, transport mode, no NAT: a has `encap = yes`, so it sends its
# ESP in UDP/4500 although raw ESP would do, while b answers with raw ESP.
# Then b drops a's next UDP-encapsulated packets (captured with tcpdump) and
# a sends the very same ESP packets again as raw IP protocol 50: b's one
# inbound SA takes both and answers both. Unknown SPIs in either form are
# dropped and counted. a moves ESP on its datapath threads (the default), b
# on its event loop (datapath_threads = 0): both engines meet both forms.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"
need_cmd tcpdump iptables python3
FWMARK=0x6379
inject="python3 $here/../lib/esp_inject.py"

ESP_PAIR_THREADS_a=2
ESP_PAIR_THREADS_b=0
esp_pair_setup transport start "		encap = yes"
cygnetd_start b
cygnetd_start a
grep -q "outbound and inbound ESP on threads of their own" "$(cygnetd_log a)" ||
	fail "a does not run its datapath on threads"
grep -q "ESP on .*thread" "$(cygnetd_log b)" && fail "b runs datapath threads"
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath.*(UDP encapsulated out)\" '$(cygnetd_log a)'" 15 \
	"a did not install a UDP-encapsulated CHILD SA"
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath\" '$(cygnetd_log b)'" 5 \
	"b did not install the CHILD SA"
grep -q "CHILD SA 'host' in the userspace datapath.*(UDP encapsulated out)" "$(cygnetd_log b)" &&
	fail "b should send raw ESP (no NAT, no encap = yes)"

ns_exec a ping -c 3 -i 0.2 -W 2 192.0.2.2 >&2 || fail "ping a -> b (UDP out, raw back) failed"
log "3 pings: a -> b ESP in UDP, b -> a raw ESP"

# b drops (after tcpdump saw them) a's next ESP-in-UDP packets
cap=$(ns_dir b)/esp.pcap
tpid=$(ns_bg b "$(ns_dir b)/tcpdump.log" tcpdump -i eth0 -n -U -w "$cap" udp dst port 4500)
wait_for "grep -q 'listening on' '$(ns_dir b)/tcpdump.log'" 5 "tcpdump did not start"
ns_exec b iptables -I INPUT -p udp --dport 4500 -j DROP || fail "iptables"
ns_exec a ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null 2>&1 && fail "pings passed the drop rule"
ns_exec b iptables -D INPUT -p udp --dport 4500 -j DROP
sleep 0.3
kill "$tpid"
wait_for_quiet "! kill -0 $tpid" 3
n=$(ns_exec a $inject replay-raw "$cap" 192.0.2.2 $FWMARK) || fail "replay failed"
[ "$n" -eq 3 ] || fail "captured $n ESP-in-UDP packets, expected 3"
log "the 3 dropped packets sent again as raw ESP"
ns_exec a $inject unknown 192.0.2.2 $FWMARK 0badc0de || fail "unknown-SPI injection failed"
wait_for "grep -q 'ESP with unknown SPI 0badc0de' '$(cygnetd_log b)'" 5 "b did not log the unknown SPI"
ns_exec a ping -c 2 -i 0.2 -W 2 192.0.2.2 >&2 || fail "ping after the raw packets failed"
sleep 0.5

cygnetd_stop a
cygnetd_stop b
grep -E "datapath|ESP [0-9a-f]* (in|out):" "$(cygnetd_log b)" >&2
line=$(grep 'datapath counters:' "$(cygnetd_log b)" | tail -n1)
udp=$(grep -o 'udp [0-9]*' <<<"$line" | grep -o '[0-9]*')
raw=$(grep -o 'raw [0-9]*' <<<"$line" | grep -o '[0-9]*')
# ESP in UDP: 3 + 2 pings and the unknown SPI; raw: 3 replayed + unknown SPI
[ "${udp:-0}" -ge 6 ] || fail "b: $udp ESP-in-UDP packets, expected >= 6"
[ "${raw:-0}" -ge 4 ] || fail "b: $raw raw ESP packets, expected >= 4"
insa=$(grep -o "ESP [0-9a-f]* in: [0-9]* packets" "$(cygnetd_log b)" | tail -n1 | awk '{ print $4 }')
[ "${insa:-0}" -ge 8 ] || fail "b's inbound SA decrypted $insa packets, expected 8 (5 UDP + 3 raw)"
grep -q 'datapath: .* 2 unknown SPIs' "$(cygnetd_log b)" || fail "b did not count 2 unknown SPIs"
grep -Eq 'datapath drop (replay|ICV|too old)' "$(cygnetd_log b)" && fail "b dropped valid ESP"
# a got the answers to all 8 echo requests (b answered raw)
outsa=$(grep -o "ESP [0-9a-f]* in: [0-9]* packets" "$(cygnetd_log a)" | tail -n1 | awk '{ print $4 }')
[ "${outsa:-0}" -ge 8 ] || fail "a's inbound SA got $outsa replies, expected 8"
log "ok: one SA, $udp ESP-in-UDP + $raw raw packets in, $insa decrypted"
