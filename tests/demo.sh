#!/usr/bin/env bash
# make demo: a stock strongSwan road warrior (charon + kernel-libipsec) connects
# to cygnetd in network namespaces, gets a virtual IP and DNS servers from a
# pool, and pings a host behind the gateway through the tunnel. Everything it
# creates is removed at the end, whatever happens.
#
#   rw 192.0.2.100 ---- 192.0.2.1 gw (cygnetd) 10.1.0.1 ---- lan 10.1.0.10
#   virtual IP from pool 10.3.0.0/28, DNS 10.1.0.53
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
NS_PREFIX=demo
. "$here/lib/ns.sh"
. "$here/lib/charon.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
CYGNETCTL=$root/$BUILD/cygnetctl
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "topology: road warrior, gateway (cygnetd), LAN host, each in its own network namespace"
ns_create gw rw lan
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
ns_veth gw eth1 10.1.0.1/24 lan eth0 10.1.0.10/24
ns_exec lan ip route add default via 10.1.0.1
ns_exec gw sysctl -qw net.ipv4.ip_forward=1
echo "rw 192.0.2.100  <->  192.0.2.1 gw 10.1.0.1  <->  10.1.0.10 lan"

gwd=$(ns_dir gw)
cat >"$gwd/cygnet.conf" <<CONF
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
		addrs = 10.3.0.0/28
		dns = 10.1.0.53
	}
}
secrets {
	ike-rw {
		id-1 = gw.example
		id-2 = rw1.example
		secret = "demo-secret-please-change"
	}
}
CONF
cat >"$(ns_dir rw)/swanctl.conf" <<CONF
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
		id-1 = gw.example
		id-2 = rw1.example
		secret = "demo-secret-please-change"
	}
}
CONF

say "cygnetd: check the configuration, then start"
"$CYGNETD" --check-config "$gwd/cygnet.conf" || fail "configuration rejected"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --config "$gwd/cygnet.conf" \
	--pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
grep 'started' "$gwd/cygnetd.log"

say "strongSwan road warrior: swanctl --initiate"
charon_start rw
charon_load rw "$(ns_dir rw)/swanctl.conf"
charon_swanctl rw --initiate --child home --timeout 15 || {
	tail -n 30 "$gwd/cygnetd.log"
	fail "the road warrior could not connect"
}

say "road warrior: swanctl --list-sas"
charon_swanctl rw --list-sas

say "gateway: what cygnetd logged"
grep -E 'established|installed|virtual IP' "$gwd/cygnetd.log"
if [ -x "$CYGNETCTL" ] && [ -S "$gwd/cygnet.vici" ]; then
	say "gateway: cygnetctl sa list"
	ns_exec gw "$CYGNETCTL" --socket "$gwd/cygnet.vici" sa list || true
fi

say "traffic: ping from the road warrior's virtual IP to the LAN host through the tunnel"
vip=$(ns_exec rw ip -4 -o addr show | grep -o '10\.3\.0\.[0-9]*' | head -n1)
if ns_exec rw ping -c 3 -W 2 -I "${vip:-10.3.0.1}" 10.1.0.10; then
	echo "traffic flows through the tunnel"
else
	echo "no traffic through the tunnel yet (the ESP datapath is not wired into cygnetd in this build)"
fi

say "road warrior: swanctl --terminate"
charon_swanctl rw --terminate --ike home --timeout 10
wait_for "grep -q 'IKE SA deleted' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"
grep 'IKE SA deleted' "$gwd/cygnetd.log"
charon_stop rw
say "done: namespaces and processes are removed now"
