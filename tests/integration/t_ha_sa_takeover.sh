#!/usr/bin/env bash
# HA SA takeover: a strongSwan road warrior (dpd_delay = 2s) connects to
# cygnetd node 1 at the cluster address 192.0.2.1. Node 1 is cut off the
# network (fenced), its SA is exported through its VICI socket (sa-export),
# node 1 is killed with -9, the blob is imported into node 2 (sa-import,
# PASSIVE), node 2 takes 192.0.2.1 (same MAC on a flooding bridge, as in
# docs of the cluster topology) and activates the SA (sa-activate). The
# RW's next DPDs must be answered by node 2 and its SA stay ESTABLISHED
# with the same SPIs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=hax
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
MAC=02:00:5e:00:02:01
need_root
need_cmd ip unshare swanctl python3 "$CHARON_BIN" "$CYGNETD"

# --- a tiny VICI client (framing: docs/control.md, shared/reference/vici.md)
VICI=$TEST_DIR/vici.py
cat >"$VICI" <<'PY'
import socket, struct, sys
# usage: vici.py SOCKET COMMAND [key=value | key=@file]...
# prints the reply's key=value pairs; exit 1 if success is not yes
path, cmd = sys.argv[1], sys.argv[2].encode()
body = b""
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    v = open(v[1:], "rb").read().strip() if v.startswith("@") else v.encode()
    body += bytes([3, len(k)]) + k.encode() + struct.pack("!H", len(v)) + v
frame = bytes([0, len(cmd)]) + cmd + body
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(path)
s.sendall(struct.pack("!I", len(frame)) + frame)
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("vici: connection closed")
        b += c
    return b
n, = struct.unpack("!I", recv(4))
msg = recv(n)
if msg[0] != 1:
    sys.exit("vici: reply type %d to %s" % (msg[0], cmd.decode()))
i, out = 1, {}
while i < len(msg):
    t = msg[i]; i += 1
    if t in (1, 3, 4):
        ln = msg[i]; name = msg[i + 1:i + 1 + ln].decode(); i += 1 + ln
    if t in (3, 5):
        vl, = struct.unpack("!H", msg[i:i + 2]); val = msg[i + 2:i + 2 + vl]; i += 2 + vl
        if t == 3:
            out[name] = val.decode(errors="replace")
for k, v in out.items():
    print("%s=%s" % (k, v))
sys.exit(0 if out.get("success", "yes") == "yes" else 1)
PY

# --- topology: wan bridge (flooding, no learning), nodes share one MAC
ns_create br n1 n2 rw
ns_bridge br wan
ip -n "$(ns_name br)" link set wan type bridge ageing_time 0
ns_bridge_port n1 eth0 192.0.2.1/24 br wan
ns_bridge_port n2 eth0 - br wan
ns_bridge_port rw eth0 192.0.2.100/24 br wan
for n in n1 n2; do
	ip -n "$(ns_name $n)" link set eth0 down
	ip -n "$(ns_name $n)" link set eth0 address $MAC || fail "MAC on $n"
	ip -n "$(ns_name $n)" link set eth0 up
	ns_exec $n ip addr add 10.1.0.1/24 dev lo
done
for p in p1-eth0 p2-eth0; do
	ip -n "$(ns_name br)" link set "$p" type bridge_slave learning off flood on ||
		fail "bridge port $p"
done

start_node() {
	local n=$1 d pid
	d=$(ns_dir "$n")
	conf_gw_psk "$d/cygnet.conf" "cygnet-ha-test-psk"
	pid=$(ns_bg "$n" "$d/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
		--config "$d/cygnet.conf" --pidfile "$d/cygnetd.pid" \
		--vici-socket "$d/cygnetd.vici")
	wait_for "grep -q 'started, IKE on UDP' '$d/cygnetd.log'" 5 "cygnetd $n did not start"
	wait_for "[ -S '$d/cygnetd.vici' ]" 5 "cygnetd $n has no VICI socket"
	echo "$pid"
}

n1d=$(ns_dir n1)
n2d=$(ns_dir n2)
pid1=$(start_node n1)
pid2=$(start_node n2)
at_cleanup "kill -9 $pid1 $pid2"
python3 "$VICI" "$n2d/cygnetd.vici" version >/dev/null ||
	fail "VICI version on node 2 failed"
log "cygnetd nodes up (pids $pid1 $pid2)"

conf_rw_psk "$(ns_dir rw)/swanctl.conf" "cygnet-ha-test-psk" "dpd_delay = 2s"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
if ! charon_swanctl rw --initiate --child home --timeout 15 >&2; then
	tail -n 30 "$n1d/cygnetd.log" "$n2d/cygnetd.log" "$(charon_log rw)" >&2
	fail "initiate from the road warrior failed"
fi
sas=$(charon_swanctl rw --list-sas)
spis=$(grep -o '[0-9a-f]\{16\}_i[*]\? [0-9a-f]\{16\}_r[*]\?' <<<"$sas" | head -n1)
[ -n "$spis" ] || fail "RW: no IKE SA"
grep -q "IKE SA .rw. established" "$n1d/cygnetd.log" || fail "node 1: SA not established"
grep -q "IKE_SA_INIT" "$n2d/cygnetd.log" && fail "node 2 saw IKE before the takeover"
log "RW connected to node 1 (SPIs $spis)"
# a DPD answered by node 1 first
wait_for "grep -q 'received INFORMATIONAL request' '$n1d/cygnetd.log'" 6 \
	"node 1 never saw a DPD"

# --- takeover
ip -n "$(ns_name n1)" link set eth0 down	# fence node 1: its state stops moving
python3 "$VICI" "$n1d/cygnetd.vici" sa-export ike-id=1 >"$TEST_DIR/export.out" ||
	fail "sa-export on node 1: $(cat "$TEST_DIR/export.out")"
kill -9 "$pid1"
sed -n 's/^data=//p' "$TEST_DIR/export.out" >"$TEST_DIR/sa.hex"
[ -s "$TEST_DIR/sa.hex" ] || fail "no data in the export"
log "exported $(($(wc -c <"$TEST_DIR/sa.hex") / 2)) bytes of SA state, node 1 killed"

python3 "$VICI" "$n2d/cygnetd.vici" sa-import "data=@$TEST_DIR/sa.hex" >"$TEST_DIR/import.out" ||
	fail "sa-import on node 2: $(cat "$TEST_DIR/import.out")"
id2=$(sed -n 's/^ike-id=//p' "$TEST_DIR/import.out")
[ -n "$id2" ] || fail "sa-import gave no ike-id"
grep -q "imported passive IKE SA 'rw'" "$n2d/cygnetd.log" || fail "node 2: no passive SA"
# swanctl against node 2's control socket lists it as PASSIVE
l2=$(timeout 10 swanctl --list-sas --uri "unix://$n2d/cygnetd.vici")
printf '%s\n' "$l2" >&2
grep -q 'PASSIVE' <<<"$l2" || fail "node 2 does not list the SA as PASSIVE"
# a second import of the same SA is refused with a reason
python3 "$VICI" "$n2d/cygnetd.vici" sa-import "data=@$TEST_DIR/sa.hex" >"$TEST_DIR/import2.out" &&
	fail "node 2 imported the same SA twice"
grep -q 'errmsg=import refused: .*in use' "$TEST_DIR/import2.out" ||
	fail "no reason for the refused import: $(cat "$TEST_DIR/import2.out")"
# a malformed blob is refused
echo "00112233" >"$TEST_DIR/bad.hex"
python3 "$VICI" "$n2d/cygnetd.vici" sa-import "data=@$TEST_DIR/bad.hex" >"$TEST_DIR/bad.out" &&
	fail "node 2 imported garbage"
grep -q 'errmsg=import refused: truncated header' "$TEST_DIR/bad.out" ||
	fail "no reason for garbage: $(cat "$TEST_DIR/bad.out")"

ns_exec n2 ip addr add 192.0.2.1/24 dev eth0 || fail "node 2 cannot take 192.0.2.1"
python3 "$VICI" "$n2d/cygnetd.vici" sa-activate "ike-id=$id2" >"$TEST_DIR/act.out" ||
	fail "sa-activate on node 2: $(cat "$TEST_DIR/act.out")"
grep -q "took over IKE SA" "$n2d/cygnetd.log" || fail "node 2: no takeover logged"
grep -q "CHILD SA 'net' taken over" "$n2d/cygnetd.log" || fail "node 2: CHILD SA not installed"
l2=$(timeout 10 swanctl --list-sas --uri "unix://$n2d/cygnetd.vici")
grep -q 'ESTABLISHED' <<<"$l2" && grep -q 'INSTALLED' <<<"$l2" ||
	fail "node 2 does not list the SA as ESTABLISHED with an INSTALLED CHILD SA: $l2"
log "node 2 holds 192.0.2.1 and the active SA #$id2"

# --- the RW's DPDs are answered by node 2 (dpd_delay 2 s: several rounds).
# A DPD sent while nobody answered is retransmitted with back-off (4 s,
# 7.2 s, 13 s, ...): the first answer may take a while.
wait_for "[ \$(grep -c 'received INFORMATIONAL request' '$n2d/cygnetd.log') -ge 3 ]" 45 \
	"node 2 did not answer 3 DPDs"
sleep 1
sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q ESTABLISHED <<<"$sas" || fail "RW: SA no longer ESTABLISHED"
grep -qF "$spis" <<<"$sas" || fail "RW: SA replaced (SPIs changed from $spis)"
grep -q 'giving up after' "$(charon_log rw)" && fail "RW gave up on the gateway"
grep -q 'IKE_SA_INIT' "$n2d/cygnetd.log" && fail "node 2 saw a new IKE_SA_INIT (RW reconnected)"
grep -q 'cygnet-ha-test-psk' "$n1d/cygnetd.log" "$n2d/cygnetd.log" &&
	fail "the PSK appears in a log"
log "RW's DPDs answered by node 2, SA $spis still ESTABLISHED"

# traffic through the taken-over CHILD SA: node 2's datapath got it on
# activation (node 1 carried no ESP, so no sequence numbers to skip)
grep -q "CHILD SA 'net' in the [a-z]* datapath" "$n2d/cygnetd.log" ||
	fail "node 2: CHILD SA not in the datapath"
wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 15 "no ping through node 2"
log "ping through the tunnel to node 2 ok"

# node 2 owns the SA: a clean delete from the RW reaches it
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'IKE SA deleted: deleted by peer' '$n2d/cygnetd.log'" 5 \
	"node 2 did not process the RW's delete"
charon_stop rw
kill "$pid2"
wait_for_quiet "! kill -0 $pid2" 5 || fail "node 2 did not stop on SIGTERM"
log "ok"
