#!/usr/bin/env bash
# cygnetctl against a real strongSwan charon (it speaks the same VICI
# protocol): a gateway charon and a road-warrior charon in two network
# namespaces on a veth (192.0.2.0/24, PSK, virtual IP pool). Checks every
# read-only subcommand, --json, error exits, then brings an SA up with
# `cygnetctl conn up`, sees it in `sa list`, `pool leases` and `sa monitor`,
# and takes it down with `conn down`. Cleans up on any exit.
# Set CTL_DOC_DIR=DIR to keep the outputs (docs/cygnetctl.md examples).
set -u
BUILD=${BUILD:-build/rel}
CTL=$(cd "$(dirname "$BUILD/cygnetctl")" && pwd)/cygnetctl
CHARON=/usr/lib/ipsec/charon
NS_GW=ctl-$$-gw NS_RW=ctl-$$-rw
T=$(mktemp -d /tmp/ctl-charon.XXXXXX)
PIDS=()
fails=0

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	ip netns del $NS_GW 2>/dev/null
	ip netns del $NS_RW 2>/dev/null
	[ -n "${CTL_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
# A signal can land in a $(...) subshell, which inherits the traps: each
# process that gets it cleans up (cleanup is idempotent) and exits.
on_signal() { cleanup; trap - EXIT; exit 1; }
trap cleanup EXIT
trap on_signal INT TERM

skip() { echo "skip: $*"; exit 77; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
[ -x "$CHARON" ] || skip "no strongSwan charon ($CHARON)"
command -v swanctl >/dev/null || skip "no swanctl"
[ -x "$CTL" ] || { echo "no $CTL (build first)"; exit 1; }
[ -c /dev/net/tun ] || skip "no /dev/net/tun for kernel-libipsec"

# ---- network ---------------------------------------------------------------
# namespaces left by a run that was killed hard (SIGKILL) go first: their
# owner pid is gone (names carry the pid, so parallel runs do not collide)
for ns in $(ip netns list | awk '{print $1}' | grep -E '^ctl-[0-9]+-(gw|rw)$'); do
	p=${ns#ctl-}; p=${p%-*}
	kill -0 "$p" 2>/dev/null || ip netns del "$ns" 2>/dev/null
done
ip netns add $NS_GW && ip netns add $NS_RW || exit 1
ip link add ctl-gw0 netns $NS_GW type veth peer name ctl-rw0 netns $NS_RW || exit 1
ip -n $NS_GW addr add 192.0.2.1/24 dev ctl-gw0
ip -n $NS_RW addr add 192.0.2.2/24 dev ctl-rw0
for ns in $NS_GW $NS_RW; do
	ip -n $ns link set lo up
	ip -n $ns link set "ctl-${ns##*-}0" up
done
# an address in the gateway's traffic selector (kernel-libipsec needs a
# source address there for the route it installs with the policy)
ip -n $NS_GW addr add 10.1.0.1/24 dev lo

# ---- charon instances --------------------------------------------------------
# inst NAME: strongswan.conf with its own vici socket, log, private /run
inst_conf() {
	local d=$T/$1
	mkdir -p "$d/run"
	cat >"$d/strongswan.conf" <<CONF
charon {
	load_modular = no
	plugins {
		vici { socket = unix://$d/vici }
	}
	load = openssl random nonce aes sha1 sha2 hmac gcm curve25519 x509 pem pkcs1 pkcs8 pubkey kdf kernel-libipsec kernel-netlink socket-default vici updown attr
	filelog { f { path = $d/charon.log
		default = 1
		ike = 2
		time_format = %T } }
	syslog { daemon { default = -1 } }
}
CONF
}

start_charon() {	# NAME NS
	local d=$T/$1
	ip netns exec "$2" unshare -m --propagation private sh -c \
		"mount --bind '$d/run' /run && STRONGSWAN_CONF='$d/strongswan.conf' exec $CHARON" \
		>"$d/stdout" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		[ -S "$d/vici" ] && swanctl --stats --uri "unix://$d/vici" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "charon $1 did not come up"; cat "$d/stdout" "$d/charon.log" 2>/dev/null | tail -20
	exit 1
}

inst_conf gw
inst_conf rw
cat >"$T/gw/swanctl.conf" <<'CONF'
connections {
	rw {
		version = 2
		local_addrs = 192.0.2.1
		pools = rwpool
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = gw.example
		}
		remote {
			auth = psk
			id = rw1.example
		}
		children {
			net {
				local_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
pools {
	rwpool {
		addrs = 10.3.0.0/24
		dns = 10.1.0.53
	}
}
secrets {
	ike-rw {
		id-gw = gw.example
		id-rw = rw1.example
		secret = "cygnetctl-test-secret-not-for-production"
	}
}
CONF
cat >"$T/rw/swanctl.conf" <<'CONF'
connections {
	home {
		version = 2
		remote_addrs = 192.0.2.1
		vips = 0.0.0.0
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = rw1.example
		}
		remote {
			auth = psk
			id = gw.example
		}
		children {
			home {
				remote_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
secrets {
	ike-gw {
		id-gw = gw.example
		id-rw = rw1.example
		secret = "cygnetctl-test-secret-not-for-production"
	}
}
CONF

start_charon gw $NS_GW
start_charon rw $NS_RW
for i in gw rw; do
	swanctl --load-all --file "$T/$i/swanctl.conf" --uri "unix://$T/$i/vici" >"$T/$i/load.out" 2>&1 ||
		{ cat "$T/$i/load.out"; echo "swanctl --load-all $i failed"; exit 1; }
done
GW="$CTL --socket $T/gw/vici"
RW="$CTL --socket $T/rw/vici"
OUT=$T/out
mkdir -p "$OUT"

# run NAME CMD...: stdout to $OUT/NAME, stderr to $OUT/NAME.err, rc returned
run() { local n=$1; shift; "$@" >"$OUT/$n" 2>"$OUT/$n.err"; }
json_ok() { python3 -m json.tool "$OUT/$1" >/dev/null; }
has() { grep -q -- "$2" "$OUT/$1" || { echo "--- $OUT/$1:"; cat "$OUT/$1" "$OUT/$1.err"; false; }; }

# ---- read-only commands ------------------------------------------------------
check "version" run version $GW version
check "version names charon" has version "daemon: charon"
check "version --json" run version.json $GW --json version
check "version --json parses" json_ok version.json
check "version --json daemon" python3 -c "import json,sys; d=json.load(open('$OUT/version.json')); sys.exit(d['daemon']!='charon')"
check "socket from CYGNET_SOCKET" run version.env env CYGNET_SOCKET="$T/gw/vici" "$CTL" version
check "stats" run stats $GW stats
check "stats shows ikesas" has stats "ikesas:"
check "stats --json parses" bash -c "$GW stats --json >'$OUT/stats.json' && python3 -m json.tool '$OUT/stats.json' >/dev/null"
check "conn list" run conn-list $GW conn list
check "conn list shows rw" has conn-list "^rw .*192.0.2.1\[gw.example\]"
check "conn list shows the child" has conn-list "net: TUNNEL 10.1.0.0/24 === dynamic"
check "conn list --json" run conn-list.json $GW conn list --json
check "conn list --json parses" json_ok conn-list.json
check "conn list --json content" python3 -c "
import json,sys; d=json.load(open('$OUT/conn-list.json'))
rw=d['list-conn'][0]['rw']; sys.exit(not (rw['local_addrs']==['192.0.2.1'] and 'net' in rw['children'] and d['response']=={}))"
check "pool list" run pool-list $GW pool list
check "pool list shows rwpool" has pool-list "^rwpool  *10.3.0.0  *254 "
check "pool list --json parses" bash -c "$GW --json pool list >'$OUT/pool-list.json' && python3 -m json.tool '$OUT/pool-list.json' >/dev/null"
check "sa list (empty)" run sa-list-empty $GW sa list
check "sa list empty is only the header" test "$(cat "$OUT/sa-list-empty")" = "NAME  ID  STATE  LOCAL  REMOTE  VIPS  CHILDREN"
check "sa list --json (empty)" run sa-list-empty.json $GW --json sa list
check "sa list --json empty parses" python3 -c "
import json,sys; d=json.load(open('$OUT/sa-list-empty.json')); sys.exit(d!={'list-sa': [], 'response': {}})"

# ---- errors ----------------------------------------------------------------
$CTL --socket "$T/nonexistent.vici" version >"$OUT/nosock" 2>"$OUT/nosock.err"
rc=$?
check "unknown socket exits 3 ($rc)" test $rc = 3
check "unknown socket message" grep -q "cannot connect to $T/nonexistent.vici: No such file or directory" "$OUT/nosock.err"
$GW sa list --bogus >/dev/null 2>"$OUT/usage.err"
rc=$?
check "bad option exits 2 ($rc)" test $rc = 2
$RW conn up nosuch --timeout 5 >"$OUT/up-nosuch" 2>"$OUT/up-nosuch.err"
rc=$?
check "conn up of an unknown conn exits 1 ($rc)" test $rc = 1
check "conn up error shows errmsg" grep -q "^cygnetctl: .*nosuch" "$OUT/up-nosuch.err"

# followers stop cleanly (exit 0, events unregistered) on SIGINT and SIGTERM
timeout --preserve-status -s INT 1 $GW sa monitor >"$OUT/mon-int" 2>&1
rc=$?
check "sa monitor exits 0 on SIGINT ($rc)" test $rc = 0
timeout --preserve-status -s TERM 1 $GW log >"$OUT/log-term" 2>&1
rc=$?
check "log exits 0 on SIGTERM ($rc)" test $rc = 0

# a stub VICI server for what charon never answers: CMD_UNKNOWN for every
# command but version, EVENT_UNKNOWN for every event, and a version reply
# with success=no and control bytes in errmsg
cat >"$T/stub.py" <<'PY'
import socket, struct, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(8)
def recv(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d: raise EOFError
        b += d
    return b
def send(c, payload): c.sendall(struct.pack(">I", len(payload)) + payload)
def kv(k, v): return b"\x03" + bytes([len(k)]) + k + struct.pack(">H", len(v)) + v
while True:
    c, _ = srv.accept()
    try:
        while True:
            p = recv(c, struct.unpack(">I", recv(c, 4))[0])
            op, name = p[0], p[2:2 + p[1]]
            if op == 0 and name == b"version":
                send(c, b"\x01" + kv(b"success", b"no") + kv(b"errmsg", b"bad\x1b[31mthing"))
            elif op == 0:
                send(c, b"\x02")
            else:
                send(c, b"\x06")
    except EOFError:
        c.close()
PY
python3 "$T/stub.py" "$T/stub.vici" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$T/stub.vici" ] && break; sleep 0.1; done
STUB="$CTL --socket $T/stub.vici"
$STUB stats >"$OUT/stub-stats" 2>"$OUT/stub-stats.err"
rc=$?
check "unknown command exits 4 ($rc)" test $rc = 4
check "unknown command message" grep -qx "cygnetctl: stats: command unknown to the daemon" "$OUT/stub-stats.err"
$STUB sa list >/dev/null 2>"$OUT/stub-sa.err"
rc=$?
check "unknown event exits 4 ($rc)" test $rc = 4
check "unknown event message" grep -qx "cygnetctl: event 'list-sa' unknown to the daemon" "$OUT/stub-sa.err"
$STUB sa monitor >/dev/null 2>"$OUT/stub-mon.err"
rc=$?
check "monitor of unknown events exits 4 ($rc)" test $rc = 4
$STUB version >"$OUT/stub-version" 2>"$OUT/stub-version.err"
rc=$?
check "success=no exits 1 ($rc)" test $rc = 1
check "errmsg without control bytes" grep -qx "cygnetctl: bad?\[31mthing" "$OUT/stub-version.err"
$STUB --json version >"$OUT/stub-version.json" 2>/dev/null
check "success=no still prints the JSON reply" python3 -c "
import json,sys; d=json.load(open('$OUT/stub-version.json')); sys.exit(d!={'success':'no','errmsg':'bad\x1b[31mthing'})"

# ---- an SA between the two charons -------------------------------------------
timeout 30 $GW sa monitor --count 2 >"$OUT/monitor" 2>"$OUT/monitor.err" &
MON=$!
PIDS+=($MON)
timeout 30 $GW --json sa monitor --count 2 >"$OUT/monitor.json" 2>"$OUT/monitor.json.err" &
MONJ=$!
PIDS+=($MONJ)
timeout 30 $GW log --count 3 >"$OUT/log" 2>"$OUT/log.err" &
LOGP=$!
PIDS+=($LOGP)
sleep 0.5	# let the monitors register
check "conn up home" run up $RW conn up home --timeout 15
check "conn up printed control-log" has up "\[IKE\] .*established"
check "conn up says ok" has up "^home: ok"
check "monitor exits after 2 events" timeout 20 bash -c "while kill -0 $MON 2>/dev/null; do sleep 0.1; done"
check "monitor shows ike-updown up" has monitor "ike-updown up rw#[0-9]* ESTABLISHED 192.0.2.1\[gw.example\] <-> 192.0.2.2\[rw1.example\]"
check "monitor shows child-updown up" has monitor "child-updown up rw#[0-9]* .* child net#[0-9]* INSTALLED 10.1.0.0/24 === 10.3.0.1/32"
check "monitor --json exits" timeout 20 bash -c "while kill -0 $MONJ 2>/dev/null; do sleep 0.1; done"
check "monitor --json lines parse" python3 -c "
import json,sys
ev=[json.loads(l) for l in open('$OUT/monitor.json')]
sys.exit(not (len(ev)==2 and {e['event'] for e in ev}=={'ike-updown','child-updown'} and all(e['message']['up']=='yes' for e in ev)))"
check "log got 3 lines" timeout 20 bash -c "while kill -0 $LOGP 2>/dev/null; do sleep 0.1; done; test \$(wc -l <'$OUT/log') = 3"
check "log lines look right" grep -q "^[0-9:]* \[[A-Z]* [0-9]\] " "$OUT/log"

check "sa list on gw" run sa-list $GW sa list
check "sa list shows the SA" has sa-list "^rw  *[0-9]*  *ESTABLISHED  *192.0.2.1\[gw.example\]  *192.0.2.2\[rw1.example\]  *remote 10.3.0.1  *net#[0-9]* INSTALLED"
check "sa list on rw shows its own vip" run sa-list-rw $RW sa list
check "rw's sa list shows local vip" has sa-list-rw "local 10.3.0.1"
check "sa list --json" run sa-list.json $GW --json sa list
check "sa list --json content" python3 -c "
import json,sys; d=json.load(open('$OUT/sa-list.json')); sa=d['list-sa'][0]['rw']
sys.exit(not (sa['state']=='ESTABLISHED' and sa['remote-vips']==['10.3.0.1'] and len(sa['child-sas'])==1))"
id=$(python3 -c "import json; print(json.load(open('$OUT/sa-list.json'))['list-sa'][0]['rw']['uniqueid'])")
check "sa list --ike-id $id" run sa-list-id $GW sa list --ike-id "$id"
check "sa list --ike-id shows it" has sa-list-id "^rw  *$id "
check "sa list --noblock shows it" bash -c "$GW sa list --noblock | grep -q '^rw  *$id  *ESTABLISHED'"
check "sa list --ike nosuch is empty" test "$($GW sa list --ike nosuch | wc -l)" = 1
check "pool list counts the lease" run pool-list-up $GW pool list
check "pool online 1" has pool-list-up "^rwpool  *10.3.0.0  *254  *1  *0"
check "pool leases" run pool-leases $GW pool leases rwpool
check "pool leases shows it" has pool-leases "^rwpool  *10.3.0.1  *online  *rw1.example"
check "pool leases --json parses" bash -c "$GW --json pool leases >'$OUT/pool-leases.json' && python3 -m json.tool '$OUT/pool-leases.json' >/dev/null"

# rekey events (triggered with swanctl: cygnetctl has no rekey command)
timeout 30 $GW sa monitor --count 2 >"$OUT/monitor-rekey" 2>&1 &
MON=$!
PIDS+=($MON)
timeout 30 $GW --json sa monitor --count 2 >"$OUT/monitor-rekey.json" 2>&1 &
MONJ=$!
PIDS+=($MONJ)
sleep 0.5
check "swanctl --rekey --ike-id $id" swanctl --rekey --ike-id "$id" --uri "unix://$T/gw/vici" >/dev/null
timeout 10 bash -c "until grep -q ike-rekey '$OUT/monitor-rekey'; do sleep 0.1; done"
cid=$(python3 -c "import json; print(json.load(open('$OUT/sa-list.json'))['list-sa'][0]['rw']['child-sas']['net-1']['uniqueid'])")
check "swanctl --rekey --child-id $cid" swanctl --rekey --child-id "$cid" --uri "unix://$T/gw/vici" >/dev/null
check "monitor-rekey exits" timeout 20 bash -c "while kill -0 $MON 2>/dev/null; do sleep 0.1; done"
check "monitor shows ike-rekey" has monitor-rekey "ike-rekey rw #$id -> #[0-9]* ESTABLISHED"
check "monitor shows child-rekey" has monitor-rekey "child-rekey rw#[0-9]* ESTABLISHED .*, child net #$cid -> #[0-9]* INSTALLED"
check "monitor-rekey --json exits" timeout 20 bash -c "while kill -0 $MONJ 2>/dev/null; do sleep 0.1; done"
check "monitor-rekey --json content" python3 -c "
import json,sys
ev=[json.loads(l) for l in open('$OUT/monitor-rekey.json')]
ike=[e for e in ev if e['event']=='ike-rekey'][0]['message']['rw']
ch=[e for e in ev if e['event']=='child-rekey'][0]['message']['rw']['child-sas']
sys.exit(not (ike['old']['uniqueid']=='$id' and ike['new']['state']=='ESTABLISHED' and
	list(ch.values())[0]['old']['uniqueid']=='$cid'))"
$GW --json sa list >"$OUT/sa-list-rekeyed.json"
id=$(python3 -c "import json; print(json.load(open('$OUT/sa-list-rekeyed.json'))['list-sa'][0]['rw']['uniqueid'])")
$GW sa list >"$OUT/sa-list-rekeyed"

timeout 30 $GW sa monitor --count 2 >"$OUT/monitor-down" 2>&1 &
MON=$!
PIDS+=($MON)
sleep 0.5
check "conn down --ike-id $id (gw)" run down $GW conn down --ike-id "$id" --timeout 10
check "conn down reports one terminated" has down "terminate: 1 matched, 1 terminated"
check "monitor-down exits" timeout 20 bash -c "while kill -0 $MON 2>/dev/null; do sleep 0.1; done"
check "monitor shows ike-updown down" has monitor-down "ike-updown down rw#$id"
check "sa list empty again" test "$($GW sa list | wc -l)" = 1
$GW conn down --ike-id "$id" --timeout 5 >"$OUT/down-again" 2>"$OUT/down-again.err"
rc=$?
check "conn down of a gone SA exits 1 ($rc)" test $rc = 1
check "conn down error shows errmsg" grep -q "^cygnetctl: " "$OUT/down-again.err"
check "conn up --json" run up.json $RW --json conn up home --timeout 15
check "conn up --json content" python3 -c "
import json,sys; d=json.load(open('$OUT/up.json'))
sys.exit(not (d['response']['success']=='yes' and len(d['control-log'])>0))"
check "conn down home (rw)" run down-rw $RW conn down home --timeout 10
check "conn up --ike-only" run up-ike $RW conn up home --ike-only --timeout 15
check "--ike-only: an IKE SA without children" has up-ike "^home: ok"
check "sa list shows no child" python3 -c "
import json,subprocess,sys
d=json.loads(subprocess.run('$RW --json sa list'.split(), capture_output=True, text=True).stdout)
sa=d['list-sa'][0]['home']; sys.exit(not (sa['state']=='ESTABLISHED' and not sa.get('child-sas')))"
check "conn up --child home" run up-child $RW conn up home --child home --timeout 15
check "--child: the child on the same IKE SA" bash -c "$RW sa list | grep -q '^home .* home#[0-9]* INSTALLED'"
check "conn down home (rw) again" run down-rw2 $RW conn down home --timeout 10

if [ -n "${CTL_DOC_DIR:-}" ]; then
	mkdir -p "$CTL_DOC_DIR" && cp "$OUT"/* "$CTL_DOC_DIR"/
fi
if [ $fails -ne 0 ]; then
	echo "--- gw log"; tail -30 "$T/gw/charon.log"
	echo "--- rw log"; tail -30 "$T/rw/charon.log"
	echo "t_cygnetctl_charon: $fails failed"
	exit 1
fi
echo "t_cygnetctl_charon: all passed"
