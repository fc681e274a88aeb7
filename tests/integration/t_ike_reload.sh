#!/usr/bin/env bash
# SIGHUP reloads cygnetd's configuration: the established SA stays up, new
# SAs use the new configuration (a changed PSK), and a broken file keeps
# the running configuration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ikeh
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
gwd=$(ns_dir gw)
rwd=$(ns_dir rw)

conf_gw_psk "$gwd/cygnet.conf" "first-psk-for-reload"
conf_rw_psk "$rwd/swanctl.conf" "first-psk-for-reload"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
charon_start rw
charon_load rw "$rwd/swanctl.conf"
charon_initiate rw home 15
log "first SA up"

# a broken file: the running configuration stays
echo "connections { rw { proposals = nonsense-proposal } }" >"$gwd/cygnet.conf"
kill -HUP "$gwpid"
wait_for "grep -q 'reload failed, keeping the previous configuration' '$gwd/cygnetd.log'" 5 \
	"a broken configuration was not refused"

# a new PSK: the running SA stays, a new SA needs the new PSK
conf_gw_psk "$gwd/cygnet.conf" "second-psk-for-reload"
kill -HUP "$gwpid"
wait_for "[ \$(grep -c 'loaded 1 connections' '$gwd/cygnetd.log') -ge 2 ]" 5 "no reload"
sleep 0.5
grep -q 'IKE SA deleted' "$gwd/cygnetd.log" && fail "the reload tore the SA down"
charon_swanctl rw --list-sas | grep -q ESTABLISHED || fail "RW lost its SA on reload"
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
# the old PSK no longer works, the new one does
charon_swanctl rw --initiate --child home --timeout 10 >&2 &&
	fail "the old PSK still works after the reload"
conf_rw_psk "$rwd/swanctl.conf" "second-psk-for-reload"
charon_load rw "$rwd/swanctl.conf"
charon_initiate rw home 15
log "new SA with the reloaded PSK"
charon_stop rw
log "ok"
