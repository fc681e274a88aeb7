#!/usr/bin/env bash
# Datapath lifetimes and reports against a stock strongSwan road warrior:
# cygnetd's child has rekey_packets = 40 (rand_packets = 0), so pinging
# past 40 packets makes cygnetd rekey the CHILD SA itself (its datapath's
# soft expire -> CREATE_CHILD_SA with REKEY_SA): the RW sees new SPIs and
# traffic keeps flowing. swanctl --list-sas on cygnetd's control socket
# shows growing byte/packet counters. ESP with an unknown SPI sent from the
# RW's namespace makes cygnetd send one INVALID_SPI (rate-limited), which
# charon logs. Then, reloaded with life_packets = 20, a new CHILD SA is
# deleted by cygnetd once 20 packets passed; the IKE SA stays.
#
#   rw (192.0.2.100, vip 10.3.0.1) --- gw (192.0.2.1 | 10.1.0.1) --- lan (10.1.0.2)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dplt
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/confs.sh"

need_root
need_cmd ip unshare swanctl ping python3 "$CHARON_BIN" "$CYGNETD"

ns_create gw rw lan
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_veth gw eth1 10.1.0.1/24 lan eth0 10.1.0.2/24
ns_exec lan ip route add default via 10.1.0.1 || fail "lan default route"
ns_exec gw sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward"
gwd=$(ns_dir gw)
rwd=$(ns_dir rw)
sock=$gwd/cygnet.vici
gwsw() { timeout 30 swanctl "$@" --uri "unix://$sock"; }

conf_gw_psk "$gwd/conns.conf" "cygnet-lifetime-psk"
# the limits go into cygnetd's child "net"
sed 's/^\(\t*\)esp_proposals = aes256gcm16$/&\n\1rekey_packets = 40\n\1rand_packets = 0\n\1life_packets = 100000/' \
	"$gwd/conns.conf" >"$gwd/cygnet.conf"
cat >>"$gwd/cygnet.conf" <<CONF
daemon {
	datapath = userspace
	tun_name = cyg0
}
control {
	socket = $sock
}
CONF
grep -q 'rekey_packets = 40' "$gwd/cygnet.conf" || fail "limits not in the config"
conf_rw_psk "$rwd/swanctl.conf" "cygnet-lifetime-psk"

cygnetd_start gw
charon_start rw
charon_load rw "$rwd/swanctl.conf"
charon_initiate rw home 15
grep -q "CHILD SA 'net' limits: rekey at 0 bytes / 40 packets, expire at 0 bytes / 100000 packets" \
	"$(cygnetd_log gw)" || fail "cygnetd did not give the ESP SAs the child's packet limits"

# the RW's CHILD SA SPIs: "in  c1234567, ..."
rw_spis() { charon_swanctl rw --list-sas | awk '$1 == "in" || $1 == "out" { print $2 }' | tr -d , | sort | tr '\n' ' '; }
old=$(rw_spis)
log "RW CHILD SA SPIs before: $old"
[ -n "$old" ] || fail "no CHILD SA on the RW"

# counters through cygnetd's control socket: a few pings first
ns_exec rw ping -c 5 -i 0.1 -W 1 10.1.0.2 >/dev/null || fail "ping through the tunnel failed"
out1=$(gwsw --list-sas) || fail "swanctl --list-sas on cygnetd failed"
printf '%s\n' "$out1" >&2
b1=$(awk '$1 == "in" { print $3 + 0; exit }' <<<"$out1")
p1=$(awk '$1 == "in" { print $5 + 0; exit }' <<<"$out1")
[ "${b1:-0}" -gt 0 ] && [ "${p1:-0}" -ge 5 ] || fail "list-sas counters not filled: $b1 bytes, $p1 packets"
grep -qE 'out +[0-9a-f]{8}, +[1-9][0-9]* bytes, +[1-9][0-9]* packets' <<<"$out1" ||
	fail "no outbound counters in list-sas"
ns_exec rw ping -c 5 -i 0.1 -W 1 10.1.0.2 >/dev/null || fail "ping through the tunnel failed"
b2=$(gwsw --list-sas | awk '$1 == "in" { print $3 + 0; exit }')
[ "${b2:-0}" -gt "$b1" ] || fail "inbound bytes did not grow ($b1 -> $b2)"
log "list-sas counters: in $b1 -> $b2 bytes"
out=$(ns_exec gw "$root/${BUILD:-build/rel}/cygnetctl" --socket "$sock" sa list) ||
	fail "cygnetctl sa list failed"
printf '%s\n' "$out" >&2
grep -qE 'net#[0-9]+ INSTALLED \(in [1-9][0-9]* B, out [1-9][0-9]* B\)' <<<"$out" ||
	fail "cygnetctl sa list shows no traffic"

# past 40 packets: cygnetd's datapath raises the soft expire, cygnetd rekeys
out=$(ns_exec rw ping -c 60 -i 0.05 -W 1 10.1.0.2 2>&1)
stats=$(printf '%s\n' "$out" | grep 'packets transmitted')
log "$stats"
rx=$(awk '{ print $4 }' <<<"$stats")
wait_for "grep -q 'soft lifetime of the datapath, rekeying' '$(cygnetd_log gw)'" 5 \
	"cygnetd did not rekey on the soft packet limit"
wait_for "grep -q \"CHILD SA 'net' rekeyed, deleting the old one\" '$(cygnetd_log gw)'" 10 \
	"cygnetd's CHILD rekey did not complete"
for s in $old; do
	wait_for "! charon_swanctl rw --list-sas | grep -qw $s" 10 \
		"the RW still has the old CHILD SA ($s)"
done
[ "$(charon_swanctl rw --list-sas | grep -c INSTALLED)" = 1 ] || fail "the RW has more than one CHILD SA"
new=$(rw_spis)
log "RW CHILD SA SPIs after: $new"
[ -n "$new" ] || fail "no CHILD SA on the RW after the rekey"
[ "${rx:-0}" -ge 58 ] || fail "lost $((60 - ${rx:-0})) of 60 pings across the rekey"
grep -q 'rekeying CHILD_SA\|received DELETE for ESP CHILD_SA' "$(charon_log rw)" ||
	fail "charon did not log the rekey"
# traffic keeps flowing over the new CHILD SA
ns_exec rw ping -c 3 -i 0.2 -W 1 10.1.0.2 >/dev/null || fail "no ping over the rekeyed CHILD SA"
log "rekey on rekey_packets ok, traffic flows"

# ESP with an unknown SPI from the RW: UDP 4500 and raw ESP, twice in a row
ns_exec rw python3 "$root/tests/lib/esp_inject.py" unknown 192.0.2.1 0 0badc0de ||
	fail "unknown-SPI injection failed"
ns_exec rw python3 "$root/tests/lib/esp_inject.py" unknown 192.0.2.1 0 0badc0de ||
	fail "unknown-SPI injection failed"
wait_for "grep -q 'N(INVAL_SPI)' '$(charon_log rw)'" 5 "charon did not receive INVALID_SPI"
sleep 1
n=$(grep -c 'N(INVAL_SPI)' "$(charon_log rw)")
[ "$n" = 1 ] || fail "charon got $n INVALID_SPI notifies for 4 packets within a second"
grep -q 'sending INVALID_SPI for ESP SPI 0badc0de' "$(cygnetd_log gw)" ||
	fail "cygnetd did not log the INVALID_SPI"
grep -q 'ESP with unknown SPI 0badc0de from 192.0.2.100.*INVALID_SPI sent' "$(cygnetd_log gw)" ||
	fail "cygnetd did not log the unknown SPI"
sas=$(charon_swanctl rw --list-sas)
grep -q ESTABLISHED <<<"$sas" && grep -q INSTALLED <<<"$sas" ||
	fail "the SAs did not survive the INVALID_SPI"
log "INVALID_SPI sent once, charon logged it"
# the datapath's counters, live in the stats reply (cygnet.datapath)
st=$(ns_exec gw "$root/${BUILD:-build/rel}/cygnetctl" --socket "$sock" stats) ||
	fail "cygnetctl stats failed"
dpv() { awk -v k="$1:" '$1 == k { print $2 }' <<<"$st"; }
[ "$(dpv backend)" = userspace ] || fail "stats: datapath backend '$(dpv backend)'"
[ "$(dpv drop-unknown-spi)" = 4 ] || fail "stats: drop-unknown-spi '$(dpv drop-unknown-spi)', expected 4"
[ "$(dpv esp-in)" -ge 63 ] || fail "stats: esp-in '$(dpv esp-in)', expected >= 63"
[ "$(dpv verdict-esp)" -ge 63 ] || fail "stats: verdict-esp '$(dpv verdict-esp)', expected >= 63"
[ "$(dpv esp-in-udp)" -lt "$(dpv esp-in)" ] || fail "stats: all ESP counted as UDP (raw ones too?)"
log "stats: esp-in $(dpv esp-in) (UDP $(dpv esp-in-udp)), esp-out $(dpv esp-out), drop-unknown-spi 4"

# hard limit: reload with life_packets = 20 (no soft limit), connect again;
# past 20 packets cygnetd deletes the CHILD SA, the IKE SA stays
sed -i 's/rekey_packets = 40/rekey_packets = 0/; s/life_packets = 100000/life_packets = 20/' \
	"$gwd/cygnet.conf"
kill -HUP "${CYGNETD_PIDS[gw]}"
wait_for "[ \$(grep -c 'loaded 1 connections' '$(cygnetd_log gw)') -ge 2 ]" 5 "cygnetd did not reload"
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'IKE SA deleted: deleted by peer' '$(cygnetd_log gw)'" 5 "cygnetd kept the SA"
charon_initiate rw home 15
grep -q "limits: rekey at 0 bytes / 0 packets, expire at 0 bytes / 20 packets" "$(cygnetd_log gw)" ||
	fail "the new CHILD SA did not get life_packets = 20"
ns_exec rw ping -c 30 -i 0.05 -W 1 10.1.0.2 >/dev/null 2>&1
wait_for "grep -q 'hard lifetime of the datapath, deleting it' '$(cygnetd_log gw)'" 5 \
	"cygnetd did not delete the CHILD SA on the hard packet limit"
wait_for "grep -q 'received DELETE for ESP CHILD_SA' '$(charon_log rw)'" 5 \
	"charon did not get the Delete"
wait_for "! charon_swanctl rw --list-sas | grep -q INSTALLED" 5 "the RW kept its CHILD SA"
charon_swanctl rw --list-sas | grep -q ESTABLISHED || fail "the IKE SA went with the CHILD SA"
[ "$(grep -c 'hard lifetime of the datapath, deleting it' "$(cygnetd_log gw)")" = 1 ] ||
	fail "more than one Delete for the hard limit"
log "hard packet limit: CHILD SA deleted, IKE SA kept"

charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "[ \$(grep -c 'IKE SA deleted: deleted by peer' '$(cygnetd_log gw)') -ge 2 ]" 5 \
	"cygnetd kept the SA"
charon_stop rw
cygnetd_stop gw
grep -E 'datapath: .*expires|datapath (counters|drop)' "$(cygnetd_log gw)" >&2
grep -qE 'unknown SPIs \(INVALID_SPI sent 1, rate-limited 3' "$(cygnetd_log gw)" ||
	fail "unknown-SPI counters wrong"
log "ok"
