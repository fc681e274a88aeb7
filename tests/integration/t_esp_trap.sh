#!/usr/bin/env bash
# start_action = trap: cygnetd a installs a trap policy for b at start; the
# first ping is held, its acquire makes a negotiate the CHILD SA, and the
# held packet leaves through it: `ping -c 1` with a deadline succeeds. A
# second burst of traffic raises no new acquire. A reload without the trap
# removes it and leaves the established SA alone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_pair.sh"

esp_pair_setup tunnel trap
cygnetd_start b
cygnetd_start a
grep -q "child 'host' trapped (reqid" "$(cygnetd_log a)" || fail "a installed no trap"
sleep 0.5
grep -q 'initiating' "$(cygnetd_log a)" && fail "a initiated before any traffic"

if ! ns_exec a ping -c 1 -w 10 192.0.2.2 >&2; then
	tail -n 30 "$(cygnetd_log a)" >&2
	fail "the first packet did not arrive"
fi
grep -q "acquire for reqid [0-9]*: initiating 'host' child 'host'" "$(cygnetd_log a)" ||
	fail "no acquire logged"
grep -q "CHILD SA 'host' in the userspace datapath: reqid 1, tunnel mode" "$(cygnetd_log a)" ||
	fail "the CHILD SA did not take the trap's reqid"
log "first packet triggered the SA and arrived"
ns_exec a ping -c 5 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "ping over the trapped SA failed"
[ "$(grep -c 'acquire for reqid' "$(cygnetd_log a)")" -eq 1 ] || fail "more than one acquire"

# a reload without the trap removes it; the established SA keeps working
sed -i 's/start_action = trap/start_action = none/' "$(ns_dir a)/cygnet.conf"
kill -HUP "${CYGNETD_PIDS[a]}"
wait_for "grep -q \"child 'host' no longer trapped\" '$(cygnetd_log a)'" 5 "reload kept the trap"
ns_exec a ping -c 2 -i 0.2 -W 2 192.0.2.2 >/dev/null || fail "ping after the reload failed"

cygnetd_stop a
cygnetd_stop b
grep -E 'datapath' "$(cygnetd_log a)" >&2
held=$(grep -o 'held [0-9]*' "$(cygnetd_log a)" | tail -n1 | grep -o '[0-9]*')
[ "${held:-0}" -ge 1 ] || fail "a held no packet for the acquire"
grep -q 'held_dropped 0' "$(cygnetd_log a)" || fail "a dropped held packets"
log "ok"
