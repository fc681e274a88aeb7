#!/usr/bin/env bash
# Rekey collisions with a stock strongSwan road warrior (charon +
# kernel-libipsec). The gateway's IKE packets to the RW are held back
# (iptables in the gateway's namespace) while cygnetd starts a rekey, then
# the RW starts a rekey of the same SA: cygnetd answers it while its own is
# in flight (RFC 7296 2.8.1/2.8.2: a collision), the RW completes first,
# and when the gateway's packets flow again its own request is refused by
# the RW; both ends settle on one new SA (by the nonces, or because one
# completed first). First for the CHILD SA, then for the IKE SA. After each:
# one IKE SA and one CHILD SA on both ends with the same SPIs, and a ping
# through the tunnel.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ikec
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl iptables "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo
ns_exec gw iptables -L OUTPUT >/dev/null 2>&1 || skip "no iptables in a namespace"

gwd=$(ns_dir gw)
sock=$gwd/cygnet.vici
conf_gw_psk "$gwd/cygnet.conf" "cygnet-collide-psk"
printf 'control {\n\tsocket = %s\n}\n' "$sock" >>"$gwd/cygnet.conf"
conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-collide-psk"

"$CYGNETD" --check-config "$gwd/cygnet.conf" >&2 || fail "cygnetd rejects its config"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_swanctl rw --initiate --child home --timeout 15 >&2 || fail "initiate failed"
wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 10 "no ping through the tunnel"
log "established"

gwsw() { ns_exec gw timeout 10 swanctl "$@" --uri "unix://$sock"; }
hold() { ns_exec gw iptables -"$1" OUTPUT -p udp -m multiport --ports 500,4500 -j DROP; }

# one IKE SA and one CHILD SA on both ends, the same SPIs
settled() {
	local g r gi ri
	g=$(gwsw --list-sas 2>/dev/null) || return 1
	r=$(charon_swanctl rw --list-sas 2>/dev/null) || return 1
	# every IKE SA in any state (a redundant one waiting for its Delete
	# counts), and every CHILD SA
	[ "$(grep -c ', IKEv2, ' <<<"$g")" = 1 ] && [ "$(grep -c ', IKEv2, ' <<<"$r")" = 1 ] &&
		[ "$(grep -c ', ESTABLISHED, IKEv2, ' <<<"$g")" = 1 ] &&
		[ "$(grep -c ', ESTABLISHED, IKEv2, ' <<<"$r")" = 1 ] &&
		[ "$(grep -c 'reqid' <<<"$g")" = 1 ] && [ "$(grep -c 'reqid' <<<"$r")" = 1 ] &&
		[ "$(grep -c INSTALLED <<<"$g")" = 1 ] && [ "$(grep -c INSTALLED <<<"$r")" = 1 ] || return 1
	# IKE SPIs, then the CHILD SA's in/out SPIs crossed
	gi=$(grep -o '[0-9a-f]\{16\}_[ir]' <<<"$g" | tr '\n' ' ')
	ri=$(grep -o '[0-9a-f]\{16\}_[ir]' <<<"$r" | tr '\n' ' ')
	[ -n "$gi" ] && [ "$gi" = "$ri" ] || return 1
	[ "$(grep -o 'in  *[0-9a-f]\{8\}' <<<"$g" | grep -o '[0-9a-f]\{8\}$')" = \
		"$(grep -o 'out  *[0-9a-f]\{8\}' <<<"$r" | grep -o '[0-9a-f]\{8\}$')" ]
}

collide() {	# what: child|ike, gw name, rw name
	local what=$1 gname=$2 rname=$3 before
	before=$(grep -c 'rekey collision' "$gwd/cygnetd.log")
	hold I
	gwsw --rekey --"$what" "$gname" >&2 || fail "gateway: rekey $what refused"
	wait_for "grep -q 'sending CREATE_CHILD_SA request' '$gwd/cygnetd.log'" 5 "gateway sent no rekey"
	charon_swanctl rw --rekey --"$what" "$rname" >&2 || fail "RW: rekey $what refused"
	wait_for "[ \$(grep -c 'rekey collision' '$gwd/cygnetd.log') -gt $before ]" 10 \
		"cygnetd saw no $what rekey collision"
	sleep 1
	hold D
	# a redundant SA the peer forgets (charon drops its own rekey when our
	# Delete of the old SA arrives first) is removed after 30 s
	if ! wait_for_quiet settled 60; then
		gwsw --list-sas >&2
		charon_swanctl rw --list-sas >&2
		fail "not settled after the $what rekey collision"
	fi
	grep 'rekey collision' "$gwd/cygnetd.log" | tail -n 3 >&2
	wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 10 "no ping after the $what rekey collision"
	log "$what rekey collision settled"
}

collide child net home
collide ike rw home
gwsw --list-sas >&2
grep -i 'collision\|TEMPORARY_FAILURE\|CHILD_SA_NOT_FOUND' "$(charon_log rw)" | tail -n 6 >&2
# every CHILD SA cygnetd installed but the last was removed again
inst=$(grep -c "CHILD SA 'net' installed" "$gwd/cygnetd.log")
gone=$(grep -c "CHILD SA 'net' deleted" "$gwd/cygnetd.log")
log "cygnetd: $inst CHILD SAs installed, $gone deleted"
[ "$inst" -eq $((gone + 1)) ] || fail "cygnetd installed $inst CHILD SAs and deleted $gone"
charon_swanctl rw --terminate --ike home >&2
wait_for "grep -q 'deleted by peer' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"
charon_stop rw
log "ok"
