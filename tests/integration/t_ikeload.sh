#!/usr/bin/env bash
# ikeload sets up 50 IKE+CHILD SAs against cygnetd (8 in flight), then
# deletes them: all 50 succeed, cygnetd ends with no SA. Then 21 SAs with two
# initiator threads, and 5 with a wrong PSK (failures counted by reason).
# Functional only, no timing assertions.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=bench
. "$here/../lib/ns.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
IKELOAD=$root/$BUILD/ikeload
CYGNETCTL=$root/$BUILD/cygnetctl
need_root
need_cmd ip python3 "$CYGNETD" "$IKELOAD" "$CYGNETCTL"

ns_create gw ld
ns_veth gw eth0 192.0.2.1/24 ld eth0 192.0.2.50/24
ns_exec gw ip addr add 10.1.0.1/16 dev lo

gwd=$(ns_dir gw)
cat >"$gwd/cygnet.conf" <<CONF
connections {
	load {
		version = 2
		local_addrs = 192.0.2.1
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = gw.example
		}
		remote {
			auth = psk
			id = load.example
		}
		children {
			net {
				local_ts = 10.1.0.0/16
				esp_proposals = aes256gcm16
			}
		}
	}
}
secrets {
	ike-load {
		id-1 = gw.example
		id-2 = load.example
		secret = "cygnet-ikeload-test-psk"
	}
}
CONF

sock=$gwd/cygnet.vici
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level info \
	--config "$gwd/cygnet.conf" --vici-socket "$sock")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
log "cygnetd up (pid $gwpid)"

out=$(ns_exec ld timeout 60 "$IKELOAD" --remote 192.0.2.1 --psk cygnet-ikeload-test-psk \
	--id-local load.example --id-remote gw.example --remote-ts 10.1.0.0/16 \
	-n 50 -c 8 --timeout 10000 --label cygnetd --json)
rc=$?
printf '%s\n' "$out" >&2
[ $rc = 0 ] || { tail -n 30 "$gwd/cygnetd.log" >&2; fail "ikeload exited with $rc"; }
json=$(grep '^{' <<<"$out")
grep -q '"ok":50,"failed":0' <<<"$json" || fail "not 50 successful setups"
grep -q '"deleted":50,"delete_failed":0' <<<"$json" || fail "not 50 deletes"
n_up=$(grep -c "CHILD SA 'net' installed" "$gwd/cygnetd.log")
[ "$n_up" = 50 ] || fail "cygnetd installed $n_up CHILD SAs, expected 50"
wait_for "[ \$(grep -c 'IKE SA deleted: deleted by peer' '$gwd/cygnetd.log') = 50 ]" 5 \
	"cygnetd did not delete all 50 SAs"
log "50 setups and 50 deletes"

# the key stock (daemon { key_stock }, default 32): the first X25519 key is
# made inline, the thread then keeps 32 ready, so most of the 50 come from it
grep -q 'key stock: 32 key pairs per group' "$gwd/cygnetd.log" || fail "no key stock"
stock=$(timeout 10 "$CYGNETCTL" --socket "$sock" --json stats | python3 -c 'import json,sys
c = json.load(sys.stdin)["cygnet"]
print(c["key-stock-taken"], c["key-stock-inline"], c["key-stock-ready"])') ||
	fail "no stats from cygnetd"
read -r taken made ready <<<"$stock"
log "key stock: $taken taken, $made made inline, $ready ready"
[ $((taken + made)) = 50 ] || fail "50 key pairs expected, $taken + $made"
[ "$taken" -ge 1 ] && [ "$made" -ge 1 ] || fail "the stock served nothing"
[ "$ready" -le 32 ] || fail "more than 32 key pairs in stock"

# two initiator threads (own cores and sockets), 21 SAs split 11 + 10
out=$(ns_exec ld timeout 60 "$IKELOAD" --remote 192.0.2.1 --psk cygnet-ikeload-test-psk \
	--id-local load.example --id-remote gw.example --remote-ts 10.1.0.0/16 \
	-n 21 -c 4 --threads 2 --json) || { printf '%s\n' "$out" >&2; fail "ikeload --threads 2 failed"; }
grep -q '"threads":2,"ok":21,"failed":0' <<<"$out" || { printf '%s\n' "$out" >&2; fail "not 21 setups with 2 threads"; }
grep -q '"deleted":21,"delete_failed":0' <<<"$out" || fail "not 21 deletes with 2 threads"

# a wrong PSK: every setup fails, counted under the peer's notify
out=$(ns_exec ld timeout 60 "$IKELOAD" --remote 192.0.2.1 --psk not-the-psk \
	--id-local load.example --id-remote gw.example --remote-ts 10.1.0.0/16 \
	-n 5 -c 5 --json 2>/dev/null)
[ $? = 1 ] || fail "ikeload did not exit 1 on failures"
grep -q '"fail_reasons":{"IKE_AUTH failed: peer sent AUTHENTICATION_FAILED":5}' <<<"$out" ||
	{ printf '%s\n' "$out" >&2; fail "failures not counted by reason"; }

grep -q 'cygnet-ikeload-test-psk' "$gwd/cygnetd.log" && fail "the PSK appears in the log"
log "ok"
