#!/usr/bin/env bash
# Cookies under a flood (RFC 7296 2.6): cygnetd (192.0.2.1) with
# daemon { cookie_threshold = 8 }; a flood namespace sends IKE_SA_INIT
# requests (valid SA/KE/Nonce, random SPIs) from 200 addresses
# 198.51.100.2-201 and never returns a cookie (tests/lib/ike_flood.py).
# Once cygnetd answers with cookies, a stock strongSwan road warrior
# (charon, kernel-libipsec) connects while the flood goes on: it must be
# asked for a cookie, return it and reach ESTABLISHED/INSTALLED. cygnetd's
# stats (cygnetctl over the control socket) must show cookies sent, the
# half-open count held at the threshold by the flood (peak = threshold + the
# road warrior), no drops at the hard limits, and the flood must have got
# cookies back for most of its requests.
#
# CK_THRESHOLD, CK_HALF_OPEN_LIMIT (defaults 8 and 10000) change cygnetd's
# limits, e.g. to see the test fail: CK_THRESHOLD=100000 CK_HALF_OPEN_LIMIT=16
# (no cookies, the flood fills the table, the road warrior is dropped).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ck
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
CYGNETCTL=$root/$BUILD/cygnetctl
THRESHOLD=${CK_THRESHOLD:-8}
HALF_OPEN_LIMIT=${CK_HALF_OPEN_LIMIT:-10000}
FLOOD_ADDRS=200		# 198.51.100.2 .. 198.51.100.201
FLOOD_RATE=${CK_FLOOD_RATE:-500}	# requests/s over all addresses
FLOOD_SECONDS=10	# the road warrior connects about 3 s into it
need_root
need_cmd ip unshare swanctl python3 "$CHARON_BIN" "$CYGNETD" "$CYGNETCTL"

ns_create gw rw fl
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_veth gw eth1 198.51.100.254/24 fl eth0 198.51.100.1/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo
ns_exec fl ip route add default via 198.51.100.254
for i in $(seq 2 $((FLOOD_ADDRS + 1))); do
	echo "addr add 198.51.100.$i/24 dev eth0"
done | ns_exec fl ip -batch - || fail "cannot add the flood addresses"

gwd=$(ns_dir gw)
fld=$(ns_dir fl)
sock=$gwd/cygnet.vici
conf_gw_psk "$gwd/cygnet.conf" "cygnet-cookie-test-psk"
cat >>"$gwd/cygnet.conf" <<CONF
daemon {
	cookie_threshold = $THRESHOLD
	half_open_limit = $HALF_OPEN_LIMIT
}
CONF
conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-cookie-test-psk"

"$CYGNETD" --check-config "$gwd/cygnet.conf" >&2 || fail "cygnetd rejects its config"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid" --vici-socket "$sock")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
grep -q "cookies from $THRESHOLD half-open SAs, half-open limit $HALF_OPEN_LIMIT" \
	"$gwd/cygnetd.log" || fail "cygnetd did not take the limits from daemon { }"
log "cygnetd up (pid $gwpid), cookie threshold $THRESHOLD"

# one counter of the stats reply's cygnet section (or ikesas.half-open)
gwstat() {
	timeout 10 "$CYGNETCTL" --socket "$sock" --json stats 2>/dev/null |
		python3 -c 'import json,sys
d = json.load(sys.stdin)
k = sys.argv[1]
print(d["ikesas"]["half-open"] if k == "half-open" else d["cygnet"][k])' "$1"
}
gwstat cookies-sent >/dev/null || fail "no stats from cygnetd's control socket"

charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"

flpid=$(ns_bg fl "$fld/flood.out" python3 "$root/tests/lib/ike_flood.py" 192.0.2.1 \
	198.51.100.2 "$FLOOD_ADDRS" --rate "$FLOOD_RATE" --duration "$FLOOD_SECONDS" \
	--summary "$fld/flood.summary")
at_cleanup "kill $flpid"
log "flood started (pid $flpid): $FLOOD_RATE/s from $FLOOD_ADDRS addresses"

# the flood has filled the half-open table up to the threshold and gets
# cookies (or, with cookies off, it hits the hard limit)
saturated() {
	[ "$(gwstat cookies-sent)" -gt 0 ] || [ "$(gwstat drop-half-open-limit)" -gt 0 ]
} 2>/dev/null
wait_for saturated 10 "the flood did not load cygnetd"
ho=$(gwstat half-open)
log "flood holds half-open $ho, cookies sent $(gwstat cookies-sent)"
sleep 2

t0=$(date +%s.%N)
if ! charon_swanctl rw --initiate --child home --timeout 20 >&2; then
	tail -n 30 "$gwd/cygnetd.log" >&2
	tail -n 30 "$(charon_log rw)" >&2
	fail "the road warrior did not get through the flood"
fi
t1=$(date +%s.%N)
kill -0 "$flpid" 2>/dev/null || fail "the flood ended before the road warrior was up"
secs=$(python3 -c "print('%.2f' % ($t1 - $t0))")
[ "$ho" -ge "$THRESHOLD" ] || fail "half-open $ho below the threshold $THRESHOLD"

sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "RW: no ESTABLISHED IKE SA"
grep -q 'INSTALLED' <<<"$sas" || fail "RW: no INSTALLED CHILD SA"
# charon was asked for a cookie and sent it back first in its second request
grep -q 'parsed IKE_SA_INIT response 0 \[ N(COOKIE) \]' "$(charon_log rw)" ||
	fail "RW: no COOKIE in an IKE_SA_INIT response"
grep -q 'generating IKE_SA_INIT request 0 \[ N(COOKIE) SA KE No' "$(charon_log rw)" ||
	fail "RW: did not return the cookie"
grep -q 'IKE SA .rw. established' "$gwd/cygnetd.log" || fail "cygnetd: SA not established"
log "road warrior ESTABLISHED after ${secs}s, with a cookie, while the flood ran"

# the flood goes on until its end; then cygnetd's counters are final
wait_for "[ -s '$fld/flood.summary' ]" $((FLOOD_SECONDS + 5)) "the flood did not end"
summary=$(cat "$fld/flood.summary")
cookies=$(gwstat cookies-sent)
peak=$(gwstat half-open-peak)
drop_all=$(gwstat drop-half-open-limit)
drop_peer=$(gwstat drop-peer-half-open-limit)
rx=$(gwstat rx)
log "flood: $summary"
log "cygnetd: $rx IKE datagrams in, cookies sent $cookies, half-open peak $peak," \
	"drops: limit $drop_all, per peer $drop_peer"

kv() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$summary"; }
sent=$(kv sent)
fl_cookies=$(kv cookies)
fl_sa=$(kv sa)
fl_other=$(kv other)
replies=$(kv replies)
[ "$sent" -ge $((FLOOD_RATE * FLOOD_SECONDS * 8 / 10)) ] ||
	fail "the flood sent only $sent requests"
# with cookies on, the flood's requests beyond the threshold keep no state:
# the peak is the flood's THRESHOLD SAs plus the road warrior's
[ "$peak" -eq $((THRESHOLD + 1)) ] ||
	fail "half-open peak $peak, expected the threshold $THRESHOLD + 1 (the road warrior)"
[ $((drop_all + drop_peer)) -eq 0 ] || fail "IKE_SA_INIT dropped at a hard limit"
[ "$fl_sa" -le "$THRESHOLD" ] || fail "$fl_sa flood requests got an SA (threshold $THRESHOLD)"
# every other answer was a cookie; a busy machine (2 shared cores, ASan) may
# drop some of the flood in the socket buffer, hence only half must be answered
[ "$fl_other" -eq 0 ] || fail "the flood got $fl_other answers that were neither cookie nor SA"
[ "$fl_cookies" -eq $((replies - fl_sa)) ] || fail "not every answer was a cookie: $summary"
[ "$replies" -ge $((sent / 2)) ] || fail "cygnetd answered only $replies of $sent flood requests"
[ "$cookies" -gt "$fl_cookies" ] || fail "cygnetd counts $cookies cookies, the flood got $fl_cookies"

charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
charon_stop rw
kill "$gwpid"
wait_for_quiet "! kill -0 $gwpid" 5 || fail "cygnetd did not stop on SIGTERM"
grep -q 'cygnetd stopped' "$gwd/cygnetd.log" || fail "no clean stop"
grep -q 'Sanitizer\|runtime error' "$gwd/cygnetd.log" && fail "sanitizer report in cygnetd's log"
log "ok: $sent flood requests, $cookies cookies sent, half-open peak $peak, ESTABLISHED in ${secs}s"
