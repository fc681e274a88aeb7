#!/usr/bin/env bash
# Rekeying against a stock strongSwan road warrior under short lifetimes:
# the RW rekeys its CHILD SA (with PFS) and its IKE SA, cygnetd answers both
# and follows the Deletes of the old SAs; cygnetd rekeys the IKE SA itself
# too (rekey_time on its side). The SA stays ESTABLISHED throughout.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=iker
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo

gwd=$(ns_dir gw)
cat >"$gwd/cygnet.conf" <<CONF
connections {
	rw {
		local_addrs = 192.0.2.1
		pools = rwpool
		proposals = aes256gcm16-prfsha256-x25519
		rekey_time = 9s
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
				esp_proposals = aes256gcm16-x25519
			}
		}
	}
}
pools {
	rwpool {
		addrs = 10.3.0.0/28
	}
}
secrets {
	ike-rw {
		id = rw1.example
		secret = "cygnet-rekey-test-psk"
	}
}
CONF

cat >"$(ns_dir rw)/swanctl.conf" <<CONF
connections {
	home {
		remote_addrs = 192.0.2.1
		vips = 0.0.0.0
		proposals = aes256gcm16-prfsha256-x25519
		rekey_time = 6s
		over_time = 5s
		rand_time = 0s
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
				esp_proposals = aes256gcm16-x25519
				rekey_time = 4s
				life_time = 8s
				rand_time = 0s
			}
		}
	}
}
secrets {
	ike-gw {
		id = gw.example
		secret = "cygnet-rekey-test-psk"
	}
}
CONF

gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_initiate rw home 15
log "established, waiting for rekeys"

wait_for "grep -q 'CHILD_SA home{2} established' '$(charon_log rw)'" 15 \
	"RW did not rekey its CHILD SA"
wait_for "grep -q 'IKE SA rekeyed from' '$gwd/cygnetd.log'" 20 "no IKE rekey"
wait_for "[ \$(grep -c 'IKE SA rekeyed from' '$gwd/cygnetd.log') -ge 2 ]" 20 \
	"no second IKE rekey"
sleep 1
sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "RW: no ESTABLISHED IKE SA after rekeys"
grep -q 'INSTALLED' <<<"$sas" || fail "RW: no INSTALLED CHILD SA after rekeys"
[ "$(grep -c ESTABLISHED <<<"$sas")" = 1 ] || fail "RW keeps more than one IKE SA"
grep -q 'deleting IKE_SA\|closing expired\|deleting CHILD_SA' "$(charon_log rw)" >&2 || true
grep -qi 'unacceptable\|failed' "$gwd/cygnetd.log" && {
	grep -i 'unacceptable\|failed' "$gwd/cygnetd.log" >&2
	fail "cygnetd logged a failure"
}
# traffic still flows over the rekeyed CHILD SA
wait_for "ns_exec rw ping -c1 -W1 10.1.0.1" 10 "no ping through the rekeyed tunnel"
log "rekeys ok, ping through the rekeyed CHILD SA"
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'deleted by peer' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"
charon_stop rw
log "ok"
