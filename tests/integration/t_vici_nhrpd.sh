#!/usr/bin/env bash
# The real FRR nhrpd (Debian's frr package) as a VICI client of cygnetd:
# nhrpd only knows /var/run/charon.vici, so cygnetd and nhrpd share a
# private mount namespace whose /run is the test's directory. nhrpd
# registers child-state-installed/-rekeyed/-destroying and list-sa and
# sends list-sas (all confirmed, no "unpatched" complaint); a strongSwan
# road warrior connecting and leaving produces events nhrpd receives
# (child-state-installed, then child-state-destroying). Skipped without
# nhrpd.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=vn
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
NHRPD=${NHRPD:-/usr/lib/frr/nhrpd}
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD" "$NHRPD"
getent group frr >/dev/null || skip "no frr group"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo

gwd=$(ns_dir gw)
run=$gwd/run
mkdir -p "$run"
# nhrpd runs as frr: it must reach its config, /run and the socket (group frr)
chmod 755 "$TEST_DIR" "$gwd"
chmod 777 "$run"

conf_gw_psk "$gwd/cygnet.conf" "cygnet-nhrp-test-psk"
printf 'log stdout debugging\ndebug nhrp all\n' >"$gwd/nhrpd.conf"
chmod 644 "$gwd/nhrpd.conf"

# the RW asks for a virtual IP: a CHILD SA covering the peer's own address
# would route cygnetd's IKE replies into the tunnel (datapath gap)
conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-nhrp-test-psk"

bg=$(ns_bg gw "$gwd/both.out" unshare -m --propagation private sh -c "
	mount --bind '$run' /run || exit 1
	'$CYGNETD' --foreground --log-level debug --config '$gwd/cygnet.conf' \
		--pidfile /run/cygnetd.pid --vici-socket /run/charon.vici --vici-group frr \
		>'$gwd/cygnetd.log' 2>&1 &
	i=0; while [ ! -S /run/charon.vici ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
	exec '$NHRPD' -f '$gwd/nhrpd.conf' -u frr -g frr -i /run/nhrpd.pid --vty_socket /run \
		--log stdout --log-level debug -z /run/zserv.api >'$gwd/nhrpd.log' 2>&1")
at_cleanup "kill \$(cat '$run/nhrpd.pid' 2>/dev/null) \$(cat '$run/cygnetd.pid' 2>/dev/null) $bg"
wait_for "grep -q 'VICI: Connected' '$gwd/nhrpd.log'" 10 \
	"nhrpd did not connect (nhrpd.log: $(tail -5 "$gwd/nhrpd.log" 2>/dev/null))"
wait_for "grep -q \"command 'list-sas'\" '$gwd/cygnetd.log'" 5 "no list-sas from nhrpd"
for e in child-state-installed child-state-rekeyed child-state-destroying list-sa; do
	grep -q "EVENT_REGISTER '$e'" "$gwd/cygnetd.log" || fail "nhrpd did not register $e"
done
wait_for "[ \$(grep -c 'VICI: Message 5' '$gwd/nhrpd.log') -ge 4 ] && grep -q 'VICI: Message 1' '$gwd/nhrpd.log'" 5 \
	"nhrpd got no EVENT_CONFIRMs / list-sas response"
grep -qi 'unpatched\|not support' "$gwd/nhrpd.log" && fail "nhrpd complains about missing events"
log "nhrpd registered its events and listed SAs"

charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_initiate rw home 15
wait_for "grep -q 'VICI: Message 7' '$gwd/nhrpd.log'" 5 "nhrpd got no event when the RW connected"
n_up=$(grep -c 'VICI: Message 7' "$gwd/nhrpd.log")
log "nhrpd received child-state-installed"

charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "[ \$(grep -c 'VICI: Message 7' '$gwd/nhrpd.log') -gt $n_up ]" 5 \
	"nhrpd got no event when the RW's CHILD SA went away"
grep -q 'disconnected' "$gwd/cygnetd.log" && fail "cygnetd dropped a client"
log "nhrpd received child-state-destroying"
sed -n '/VICI/p' "$gwd/nhrpd.log" >&2
charon_stop rw
log "ok"
