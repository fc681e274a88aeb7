#!/usr/bin/env bash
# Make-before-break: cygnetd a rekeys its CHILD SA every 2 s (rekey_time)
# while a steady ping (10 per second) runs through the tunnel to cygnetd b.
# Each rekey installs the new SAs before the old ones go and the policies
# stay: at least 3 rekeys, at most one lost ping, and the old SAs leave.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"

# life_time well above rekey_time: cygnetd enforces it (the default,
# rekey_time + 10%, leaves a loaded machine 0.2 s to finish a rekey)
esp_pair_setup tunnel start "" "$(printf '\t\t\t\trekey_time = 2s\n\t\t\t\tlife_time = 30s')"
cygnetd_start b
cygnetd_start a
wait_for "grep -q \"CHILD SA 'host' in the userspace datapath\" '$(cygnetd_log a)'" 15 \
	"a did not install the CHILD SA"
out=$(ns_exec a ping -c 80 -i 0.1 -W 1 192.0.2.2 2>&1)
stats=$(printf '%s\n' "$out" | grep 'packets transmitted')
log "$stats"
rx=$(awk '{ print $4 }' <<<"$stats")
rekeys=$(grep -c "CHILD SA 'host' rekeyed" "$(cygnetd_log a)")
log "$rekeys CHILD rekeys during the ping"
[ "$rekeys" -ge 3 ] || fail "only $rekeys rekeys"
[ "${rx:-0}" -ge 79 ] || fail "lost $((80 - ${rx:-0})) of 80 pings across rekeys"
# every rekey reused the reqid: the policies were never removed
[ "$(grep -o "in the userspace datapath: reqid [0-9]*" "$(cygnetd_log a)" | sort -u | wc -l)" -eq 1 ] ||
	fail "a rekeyed CHILD SA got a new reqid"
cygnetd_stop a
cygnetd_stop b
grep -q 'datapath drop' "$(cygnetd_log b)" && grep -E 'datapath drop' "$(cygnetd_log b)" >&2
inst=$(grep -c "in the userspace datapath" "$(cygnetd_log b)")
gone=$(grep -c "ESP [0-9a-f]* in:" "$(cygnetd_log b)")
[ "$inst" -eq "$gone" ] || fail "b installed $inst CHILD SAs but removed $gone"
log "ok"
