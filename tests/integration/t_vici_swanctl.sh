#!/usr/bin/env bash
# Unmodified strongSwan swanctl drives cygnetd over its control socket:
# --version, --stats, --load-all (connections, secrets and pools loaded
# over VICI into a daemon whose file has none), --list-conns, --list-pools,
# --monitor-sa (events when a strongSwan road warrior connects), --list-sas
# with the RW's SA, --initiate (cygnetd initiates toward strongSwan as
# responder), --terminate by ike-id and by name, --reload-settings.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=vc
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/confs.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
need_root
need_cmd ip unshare swanctl stdbuf "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_exec gw ip addr add 10.1.0.1/24 dev lo
ns_exec rw ip addr add 10.2.0.1/24 dev lo

gwd=$(ns_dir gw)
sock=$gwd/cygnet.vici
gwsw() { timeout 30 swanctl "$@" --uri "unix://$sock"; }

# the file only names the socket: everything else comes over VICI
cat >"$gwd/cygnet.conf" <<CONF
control {
	socket = $sock
}
CONF

mkdir -p "$gwd/swanctl"
cat >"$gwd/swanctl/swanctl.conf" <<CONF
connections {
$(conf_conn_gw_rw)
	torw {
		version = 2
		local_addrs = 192.0.2.1
		remote_addrs = 192.0.2.100
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = gw2.example
		}
		remote {
			auth = psk
			id = rw2.example
		}
		children {
			tc {
				local_ts = 10.1.0.0/24
				remote_ts = 10.2.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
$(conf_pools_rw "addrs = 10.3.0.0/28" "dns = 10.1.0.53")
secrets {
$(conf_secret_psk rw cygnet-vici-test-psk)
	ike-torw {
		id-1 = gw2.example
		id-2 = rw2.example
		secret = 0x6379676e65742d76696369
	}
}
CONF

cat >"$(ns_dir rw)/swanctl.conf" <<CONF
connections {
$(conf_conn_rw_home)
	fromgw {
		version = 2
		local_addrs = 192.0.2.100
		remote_addrs = 192.0.2.1
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = rw2.example
		}
		remote {
			auth = psk
			id = gw2.example
		}
		children {
			tc {
				local_ts = 10.2.0.0/24
				remote_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
secrets {
$(conf_secret_psk gw cygnet-vici-test-psk)
	ike-gw2 {
		id-1 = gw2.example
		id-2 = rw2.example
		secret = "cygnet-vici"
	}
}
CONF

"$CYGNETD" --check-config "$gwd/cygnet.conf" >&2 || fail "cygnetd rejects its config"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "[ -S '$sock' ] && grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 \
	"cygnetd did not start"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode is not 0600"
log "cygnetd up (pid $gwpid), control socket $sock"

out=$(gwsw --version --daemon) || fail "--version failed"
grep -q 'cygnetd' <<<"$out" || fail "--version: $out"
out=$(gwsw --stats) || fail "--stats failed"
grep -q 'IKE_SAs: 0 total' <<<"$out" || fail "--stats: $out"
log "--version and --stats ok"

out=$(cd "$gwd/swanctl" && gwsw --load-all --file "$gwd/swanctl/swanctl.conf" 2>&1) ||
	fail "--load-all failed: $out"
printf '%s\n' "$out" >&2
grep -q "loaded connection 'rw'" <<<"$out" || fail "--load-all did not load rw"
grep -q "loaded pool 'rwpool'" <<<"$out" || fail "--load-all did not load the pool"
grep -q "loaded ike secret 'ike-rw'" <<<"$out" || fail "--load-all did not load the secret"
out=$(gwsw --list-conns) || fail "--list-conns failed"
printf '%s\n' "$out" >&2
grep -q '^rw: IKEv2' <<<"$out" || fail "--list-conns lacks rw"
grep -q '^torw: IKEv2' <<<"$out" || fail "--list-conns lacks torw"
grep -q 'id: rw1.example' <<<"$out" || fail "--list-conns lacks the remote id"
grep -q '10.1.0.0/24' <<<"$out" || fail "--list-conns lacks the child's local_ts"
out=$(gwsw --list-pools) || fail "--list-pools failed"
grep -q '^rwpool  *10\.3\.0\.0 .* 0 / 0 / 14' <<<"$out" || fail "--list-pools: $out"
grep -q 'cygnet-vici-test-psk' "$gwd/cygnetd.log" && fail "the PSK appears in the log"
log "--load-all, --list-conns, --list-pools ok"

# a monitor sees the RW arrive
stdbuf -oL timeout 60 swanctl --monitor-sa --uri "unix://$sock" >"$gwd/monitor.out" 2>&1 &
monpid=$!
at_cleanup "kill $monpid"
sleep 0.5

charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_initiate rw home 15

wait_for "grep -q ESTABLISHED '$gwd/monitor.out' && grep -q INSTALLED '$gwd/monitor.out'" 5 \
	"--monitor-sa saw no ike-updown/child-updown (got: $(cat "$gwd/monitor.out"))"
cat "$gwd/monitor.out" >&2
log "--monitor-sa got the events"

out=$(gwsw --list-sas) || fail "--list-sas failed"
printf '%s\n' "$out" >&2
grep -q '^rw: #[0-9]*, ESTABLISHED, IKEv2' <<<"$out" || fail "--list-sas: no ESTABLISHED rw"
grep -q "remote 'rw1.example' @ 192.0.2.100" <<<"$out" || fail "--list-sas: remote id/host"
grep -q 'AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519' <<<"$out" ||
	fail "--list-sas: IKE algorithms"
grep -q 'net: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL.*, ESP:AES_GCM_16-256' <<<"$out" ||
	fail "--list-sas: CHILD SA"
grep -q 'remote 10.3.0.1/32' <<<"$out" || fail "--list-sas: remote traffic selector"
ikeid=$(sed -n 's/^rw: #\([0-9]*\),.*/\1/p' <<<"$out")
out=$(gwsw --list-sas --ike rw --noblock) || fail "--list-sas --ike failed"
grep -q '^rw: #' <<<"$out" || fail "--list-sas --ike rw found nothing"
out=$(gwsw --list-sas --ike torw) || fail "--list-sas --ike torw failed"
grep -q '^rw: #' <<<"$out" && fail "--list-sas --ike torw listed rw"
out=$(gwsw --list-pools --leases) || fail "--list-pools --leases failed"
printf '%s\n' "$out" >&2
grep -q '10.3.0.1 *online *.rw1.example' <<<"$out" || fail "--list-pools --leases: $out"
out=$(gwsw --stats)
grep -q 'IKE_SAs: 1 total' <<<"$out" || fail "--stats after connect: $out"
log "--list-sas, --list-pools --leases, --stats ok"

# cygnetd initiates toward strongSwan (responder for fromgw)
out=$(gwsw --initiate --child tc --timeout 15 2>&1)
rc=$?
printf '%s\n' "$out" >&2
[ $rc = 0 ] || fail "--initiate --child tc failed"
grep -q "initiating 'torw' child tc" <<<"$out" || fail "--initiate showed no control-log"
sas=$(charon_swanctl rw --list-sas)
grep -q '^fromgw: #[0-9]*, ESTABLISHED' <<<"$sas" || fail "RW: no fromgw SA"
out=$(gwsw --list-sas --ike torw)
grep -q 'tc: #[0-9]*, reqid [0-9]*, INSTALLED' <<<"$out" || fail "cygnetd: no tc CHILD SA"
log "--initiate ok"

# terminate by unique id; the RW sees the delete, the monitor the down event
out=$(gwsw --terminate --ike-id "$ikeid" --timeout 10 2>&1) || fail "--terminate --ike-id failed: $out"
printf '%s\n' "$out" >&2
wait_for "! charon_swanctl rw --list-sas | grep -q '^home:'" 10 "the RW kept its SA"
out=$(gwsw --list-sas)
grep -q '^rw: #' <<<"$out" && fail "cygnetd kept rw after terminate"
out=$(gwsw --terminate --ike torw --timeout 10 2>&1) || fail "--terminate --ike torw: $out"
out=$(gwsw --terminate --ike torw --timeout 10 2>&1) && fail "terminate of nothing succeeded"
grep -q 'no matching SAs' <<<"$out" || fail "terminate of nothing: $out"
log "--terminate ok"

out=$(gwsw --reload-settings 2>&1) || fail "--reload-settings failed: $out"
out=$(gwsw --list-conns)
grep -q '^rw: IKEv2' <<<"$out" || fail "VICI connections lost on reload"
kill "$monpid" 2>/dev/null
grep -q 'rw: #.*DELETING\|rw: #.*DESTROYING\|rw: #.*ESTABLISHED' "$gwd/monitor.out" ||
	fail "monitor output lacks the rw SA"
log "--reload-settings ok"

# cygnetctl conn load: a connection from a swanctl.conf-syntax file
CYGNETCTL=$root/$BUILD/cygnetctl
cat >"$gwd/extra.conf" <<CONF
connections {
	extra {
		version = 2
		local_addrs = 192.0.2.1
		remote_addrs = 198.51.100.7, 198.51.100.8
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = gw.example
		}
		remote {
			auth = psk
			id = extra.example
		}
		children {
			extranet {
				local_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
CONF
out=$(ns_exec gw "$CYGNETCTL" --socket "$sock" conn load "$gwd/extra.conf" 2>&1) ||
	fail "cygnetctl conn load failed: $out"
grep -q "loaded connection 'extra'" <<<"$out" || fail "conn load said: $out"
out=$(gwsw --list-conns)
grep -q '^extra: IKEv2' <<<"$out" || fail "the loaded connection is not listed: $out"
printf 'connections {\n\textra {\n\t\tversion = 2\n\t\tproposals = nonsense-cipher\n\t}\n}\n' \
	>"$gwd/bad.conf"
out=$(ns_exec gw "$CYGNETCTL" --socket "$sock" conn load "$gwd/bad.conf" 2>&1)
[ $? = 1 ] || fail "a refused connection did not exit 1: $out"
printf 'connections {\n\textra {\n\t\tversion = 2\n' >"$gwd/broken.conf"
out=$(ns_exec gw "$CYGNETCTL" --socket "$sock" conn load "$gwd/broken.conf" 2>&1)
[ $? = 2 ] || fail "a file that does not parse did not exit 2: $out"
grep -q 'broken.conf:[0-9]*:[0-9]*:' <<<"$out" || fail "no file:line:col in: $out"
out=$(gwsw --list-conns)
grep -q '^extra: IKEv2' <<<"$out" || fail "a refused load changed the loaded connection"
log "cygnetctl conn load ok"

charon_stop rw
kill "$gwpid"
wait_for_quiet "! kill -0 $gwpid" 5 || fail "cygnetd did not stop on SIGTERM"
[ -e "$sock" ] && fail "socket left behind"
grep -q 'Sanitizer\|runtime error' "$gwd/cygnetd.log" && fail "sanitizer report in cygnetd's log"
log "ok"
