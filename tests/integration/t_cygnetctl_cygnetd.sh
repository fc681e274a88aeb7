#!/usr/bin/env bash
# cygnetctl against cygnetd (docs/cygnetctl.md, "Against cygnetd"): a
# gateway cygnetd (conf_gw_psk) and a road-warrior cygnetd (conf_rw_psk,
# the same swanctl.conf syntax) in two namespaces, each with its control
# socket from --vici-socket. Every cygnetctl command: version (text, JSON,
# CYGNET_SOCKET), stats, conn list, pool list, an empty sa list, errors
# (unknown connection, a gone SA), conn up from the road warrior while
# sa monitor (text and JSON) and log follow on the gateway, sa list with its
# filters, pool leases, conn down by ike-id with the down events, --ike-only
# (cygnetd sets up the first child anyway), --force (the peer is not told),
# conn load (loaded, refused, unparsable), log and sa monitor stopped by
# SIGTERM/SIGINT. Every check runs; the failures are counted at the end.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ctd
. "$here/../lib/ns.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
CTL=$root/$BUILD/cygnetctl
need_root
need_cmd ip python3 "$CYGNETD" "$CTL"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo
gwd=$(ns_dir gw)
rwd=$(ns_dir rw)
G=$gwd/cygnet.vici
R=$rwd/cygnet.vici
O=$TEST_DIR/out
mkdir -p "$O"
conf_gw_psk "$gwd/cygnet.conf" "cygnetctl-test-psk"
conf_rw_psk "$rwd/cygnet.conf" "cygnetctl-test-psk"
for n in gw rw; do
	d=$(ns_dir $n)
	"$CYGNETD" --check-config "$d/cygnet.conf" >&2 || fail "cygnetd in $n rejects its config"
	pid=$(ns_bg $n "$d/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
		--config "$d/cygnet.conf" --pidfile "$d/cygnetd.pid" --vici-socket "$d/cygnet.vici")
	at_cleanup "kill $pid"
done
wait_for "[ -S '$G' ] && [ -S '$R' ]" 5 "no control sockets"

fails=0 checks=0
ok() { checks=$((checks + 1)); log "ok: $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); log "FAILED: $*"; }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# c NAME SOCKET ARGS...: cygnetctl, stdout in $O/NAME, stderr in $O/NAME.err,
# exit status in $O/NAME.rc (bounded: 40 s)
c() {
	local n=$1 s=$2
	shift 2
	timeout 40 "$CTL" --socket "$s" "$@" >"$O/$n" 2>"$O/$n.err"
	echo $? >"$O/$n.rc"
}
rc() { [ "$(cat "$O/$1.rc")" = "$2" ]; }
has() { grep -q -- "$2" "$O/$1" || { log "--- $1:"; cat "$O/$1" "$O/$1.err" >&2; false; }; }
json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$O/$1"; }

# ---- read-only, nothing up --------------------------------------------------
c version "$G" version
check "version" rc version 0
check "version names cygnetd" has version '^daemon: cygnetd$'
c version_json "$G" --json version
check "version --json parses" json version_json
CYGNET_SOCKET=$G timeout 10 "$CTL" version >"$O/version_env" 2>&1
check "socket from CYGNET_SOCKET" has version_env 'daemon: cygnetd'
c stats "$G" stats
check "stats" rc stats 0
check "stats has cygnet counters" has stats '^  cookies-sent: 0$'
check "stats has the datapath's" has stats '^    backend: userspace$'
check "stats: datapath drop counters" has stats '^    drop-icv-mismatch: 0$'
c stats_json "$G" --json stats
check "stats --json parses" json stats_json
c conns "$G" conn list
check "conn list shows rw and its child" has conns '^rw .*IKEv2.*192\.0\.2\.1\[gw\.example\].*net: TUNNEL 10\.1\.0\.0/24 === dynamic'
c conns_rw "$R" conn list home
check "conn list NAME on the road warrior" has conns_rw '^home .*192\.0\.2\.1\[gw\.example\]'
c pools "$G" pool list
check "pool list" has pools '^rwpool  *10\.3\.0\.0  *14 *0 *0$'
c sa_empty "$G" sa list
check "empty sa list is only the header" [ "$(wc -l <"$O/sa_empty")" = 1 ]
c sa_empty_json "$G" --json sa list
check "empty sa list --json" python3 -c 'import json,sys
sys.exit(json.load(open(sys.argv[1])) != {"list-sa": [], "response": {}})' "$O/sa_empty_json"
c up_nosuch "$R" conn up nosuch
check "conn up of an unknown connection exits 1" rc up_nosuch 1
check "with cygnetd's errmsg" has up_nosuch.err "no config named 'nosuch'"

# ---- conn up while the gateway follows events --------------------------------
timeout 30 "$CTL" --socket "$G" sa monitor --count 2 >"$O/mon" 2>&1 &
mon=$!
timeout 30 "$CTL" --socket "$G" --json sa monitor --count 2 >"$O/mon_json" 2>&1 &
monj=$!
timeout 30 "$CTL" --socket "$G" log --count 2 >"$O/log" 2>&1 &
lg=$!
sleep 0.5
c up "$R" conn up home --timeout 15
check "conn up home" rc up 0
check "conn up printed control-log" has up "initiating 'home' child home"
check "conn up says ok" has up '^home: ok$'
wait "$mon" "$monj" "$lg"
check "monitor: ike-updown up" has mon 'ike-updown up rw#[0-9]* ESTABLISHED 192\.0\.2\.1\[gw\.example\] <-> 192\.0\.2\.100\[rw1\.example\]'
check "monitor: child-updown up" has mon 'child-updown up .*child net#[0-9]* INSTALLED 10\.1\.0\.0/24 === 10\.3\.0\.1/32'
check "monitor --json lines parse" python3 -c 'import json,sys
ev = [json.loads(l)["event"] for l in open(sys.argv[1])]
sys.exit(ev != ["ike-updown", "child-updown"])' "$O/mon_json"
# two level 0/1 lines: IKE ones, or DMN ones about the VICI clients
check "log: 2 lines" [ "$(grep -cE '^[0-9:]{8} \[(IKE|DMN) [01]\] ' "$O/log")" = 2 ]
# a half-open SA is "(unnamed)" as with charon, never an empty name
no_empty_name() { ! grep -qF '<|' "$O/log"; }
check "log: no SA without a name" no_empty_name

c sa "$G" sa list
check "sa list on the gateway" has sa '^rw  *1  *ESTABLISHED  *192\.0\.2\.1\[gw\.example\]  *192\.0\.2\.100\[rw1\.example\]  *remote 10\.3\.0\.1  *net#1 INSTALLED'
c sa_rw "$R" sa list
check "sa list on the road warrior" has sa_rw '^home  *1  *ESTABLISHED .*local 10\.3\.0\.1  *home#1 INSTALLED'
c sa_id "$G" sa list --ike-id 1
check "sa list --ike-id" has sa_id '^rw  *1 '
c sa_child "$G" sa list --child net --noblock
check "sa list --child --noblock" has sa_child 'net#1 INSTALLED'
c sa_nosuch "$G" sa list --ike nosuch
check "sa list --ike nosuch is only the header" [ "$(wc -l <"$O/sa_nosuch")" = 1 ]
c sa_json "$G" --json sa list
check "sa list --json" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sa = d["list-sa"][0]["rw"]
sys.exit(not (sa["state"] == "ESTABLISHED" and sa["remote-vips"] == ["10.3.0.1"] and
	sa["child-sas"]["net-1"]["state"] == "INSTALLED"))' "$O/sa_json"
c leases "$G" pool leases rwpool
check "pool leases" has leases '^rwpool  *10\.3\.0\.1  *online  *rw1\.example$'
c leases_json "$G" --json pool leases
check "pool leases --json parses" json leases_json
c stats_up "$G" stats
check "stats count the SA" has stats_up '^  sa-established: 1$'

# ---- conn down ---------------------------------------------------------------
timeout 30 "$CTL" --socket "$G" sa monitor --count 2 >"$O/mon_down" 2>&1 &
mon=$!
sleep 0.5
c down "$G" conn down --ike-id 1 --timeout 10
check "conn down --ike-id" has down '^terminate: 1 matched, 1 terminated$'
wait "$mon"
check "monitor: ike-updown down" has mon_down 'ike-updown down rw#1 '
check "monitor: child-updown down" has mon_down 'child-updown down rw#1 '
c down_again "$G" conn down --ike-id 1
check "conn down of a gone SA exits 1" rc down_again 1
check "with the errmsg" has down_again.err 'no matching SAs to terminate found'
wait_for_quiet "timeout 10 '$CTL' --socket '$R' sa list | grep -q '^NAME' &&
	! timeout 10 '$CTL' --socket '$R' sa list | grep -q '^home'" 5
check "the road warrior saw the delete" [ $? = 0 ]

# ---- --ike-only, --force -----------------------------------------------------
c up_ike "$R" conn up home --ike-only --timeout 15
check "conn up --ike-only" rc up_ike 0
c sa_ike "$R" sa list
check "--ike-only: cygnetd set up the first child too" has sa_ike 'home#[0-9]* INSTALLED'
c force "$G" conn down rw --force
check "conn down NAME --force" rc force 0
c sa_force_gw "$G" sa list
c sa_force_rw "$R" sa list
check "--force: the gateway dropped the SA" [ "$(wc -l <"$O/sa_force_gw")" = 1 ]
check "--force: the peer was not told" has sa_force_rw '^home .*ESTABLISHED'
c force_rw "$R" conn down home --force
check "conn down --force on the road warrior" rc force_rw 0

# ---- conn load ---------------------------------------------------------------
cat >"$gwd/extra.conf" <<'CONF'
connections {
	extra {
		remote_addrs = 192.0.2.77
		local {
			auth = psk
		}
		remote {
			auth = psk
		}
		children {
			c {
				remote_ts = 10.9.0.0/24
			}
		}
	}
	refused {
		pools = nosuch
	}
}
CONF
printf 'connections {\n  s {\n    local_addrs\n  }\n}\n' >"$gwd/syntax.conf"
c load "$G" conn load "$gwd/extra.conf" extra
check "conn load FILE NAME" has load "^loaded connection 'extra'$"
c conns_load "$G" conn list extra
check "the loaded connection is listed" has conns_load '^extra .*192\.0\.2\.77'
c load_refused "$G" conn load "$gwd/extra.conf"
check "a refused connection exits 1" rc load_refused 1
check "with the daemon's reason" has load_refused.err "connection 'refused' uses unknown pool 'nosuch'"
c load_syntax "$G" conn load "$gwd/syntax.conf"
check "an unparsable file exits 2" rc load_syntax 2
check "with file:line:col" has load_syntax.err "syntax.conf:3:5: expected '=' or '{' after 'local_addrs'"

# ---- following stops on signals -----------------------------------------------
"$CTL" --socket "$G" log >"$O/log_term" 2>&1 &
p=$!
sleep 0.5
kill -TERM "$p"
wait "$p"
check "log exits 0 on SIGTERM" [ $? = 0 ]
"$CTL" --socket "$G" sa monitor >"$O/mon_int" 2>&1 &
p=$!
sleep 0.5
kill -INT "$p"
wait "$p"
check "sa monitor exits 0 on SIGINT" [ $? = 0 ]

for n in gw rw; do
	grep -q 'Sanitizer\|runtime error' "$(ns_dir $n)/cygnetd.log" &&
		bad "sanitizer report in the $n cygnetd's log"
done
[ "$fails" = 0 ] || fail "$fails of $checks checks failed (outputs: KEEP_TEST_DIR=1, $O)"
log "ok: $checks checks"
