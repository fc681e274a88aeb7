# shellcheck shell=bash
# tests/lib/esp_rw.sh — a strongSwan road warrior (kernel-libipsec) gets a
# virtual IP from cygnetd and reaches a LAN host behind it: ping and a bounded
# iperf3 TCP transfer through cygnetd's userspace ESP datapath.
# Source ns.sh, charon.sh and cygnetd.sh first; then esp_rw_run ESP_PROPOSAL.
#
#   rw (192.0.2.100, vip 10.3.0.1) --- gw (192.0.2.1 | 10.1.0.1) --- lan (10.1.0.2)
# With ESP_RW_NAT=1 the RW sits behind a MASQUERADE NAT:
#   rw (198.51.100.2) --- nat (198.51.100.1 | 192.0.2.254) --- gw ...

esp_rw_run() {
	local esp=$1 gwd rwd out mbits
	need_root
	need_cmd ip unshare swanctl iperf3 ping "$CHARON_BIN" "$CYGNETD"

	ns_create gw rw lan
	if [ "${ESP_RW_NAT:-0}" = 1 ]; then
		need_cmd iptables
		ns_create nat
		ns_veth rw eth0 198.51.100.2/24 nat eth0 198.51.100.1/24
		ns_veth nat eth1 192.0.2.254/24 gw eth0 192.0.2.1/24
		ns_exec rw ip route add default via 198.51.100.1 || fail "RW default route"
		ns_exec nat sysctl -qw net.ipv4.ip_forward=1 || fail "forwarding in the NAT"
		ns_exec nat iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE ||
			skip "iptables NAT not available"
	else
		ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24
	fi
	ns_veth gw eth1 10.1.0.1/24 lan eth0 10.1.0.2/24
	ns_exec lan ip route add default via 10.1.0.1 || fail "lan default route"
	ns_exec gw sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward"
	gwd=$(ns_dir gw)
	rwd=$(ns_dir rw)
	cat >"$gwd/cygnet.conf" <<CONF
daemon {
	datapath = auto
	tun_name = cyg0
	tun_mtu = 1400
}
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
				esp_proposals = $esp
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
		id-1 = gw.example
		id-2 = rw1.example
		secret = "cygnet-esp-test-psk"
	}
}
CONF
	cat >"$rwd/swanctl.conf" <<CONF
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
				esp_proposals = $esp
			}
		}
	}
}
secrets {
	ike-gw {
		id-1 = gw.example
		id-2 = rw1.example
		secret = "cygnet-esp-test-psk"
	}
}
CONF
	cygnetd_start gw
	grep -q 'datapath: userspace backend' "$gwd/cygnetd.log" ||
		grep -q 'datapath: xfrm backend' "$gwd/cygnetd.log" || fail "no datapath backend logged"
	grep -q 'datapath auto:' "$gwd/cygnetd.log" || fail "auto did not say why"
	charon_start rw
	charon_load rw "$rwd/swanctl.conf"
	if ! charon_swanctl rw --initiate --child home --timeout 15 >&2; then
		tail -n 40 "$gwd/cygnetd.log" >&2
		fail "initiate from the road warrior failed"
	fi
	grep -q "CHILD SA 'net' in the userspace datapath.*(UDP encapsulated out)" "$gwd/cygnetd.log" ||
		fail "cygnetd did not install a UDP-encapsulated CHILD SA"
	if [ "${ESP_RW_NAT:-0}" = 1 ]; then
		grep -q 'peer now at 192\.0\.2\.254\[' "$gwd/cygnetd.log" ||
			fail "cygnetd did not follow the RW to the NAT's mapping"
	fi
	wait_for "ns_exec gw ip route show table 201 dev cyg0 | grep -q 10.3.0.1" 5 \
		"no route to the virtual IP through cyg0"

	# the LAN host answers the road warrior's virtual IP through the tunnel
	if ! out=$(ns_exec rw ping -c 3 -i 0.2 -W 2 10.1.0.2 2>&1); then
		printf '%s\n' "$out" >&2
		tail -n 30 "$gwd/cygnetd.log" >&2
		fail "ping through the tunnel failed"
	fi
	printf '%s\n' "$out" | tail -n 2 >&2
	log "ping RW vip -> LAN ok"

	ns_bg lan "$(ns_dir lan)/iperf3.log" iperf3 -s -1 -B 10.1.0.2 >/dev/null
	wait_for "ns_exec lan ss -ltn | grep -q ':5201'" 5 "iperf3 server did not listen"
	if ! out=$(ns_exec rw timeout 30 iperf3 -c 10.1.0.2 -t 3 -f m 2>&1); then
		printf '%s\n' "$out" >&2
		fail "iperf3 through the tunnel failed"
	fi
	mbits=$(printf '%s\n' "$out" | awk '/receiver/ { print $(NF-2) }')
	printf '%s\n' "$out" | tail -n 4 >&2
	[ -n "$mbits" ] || fail "iperf3 printed no receiver rate"
	log "iperf3 RW -> LAN ($esp${ESP_RW_NAT:+, NAT}): $mbits Mbit/s"
	echo "RESULT esp_rw $esp${ESP_RW_NAT:+ nat} iperf3 $mbits Mbit/s"

	charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
	wait_for "grep -q 'IKE SA deleted: deleted by peer' '$gwd/cygnetd.log'" 5 \
		"cygnetd kept the SA"
	grep -q "ESP [0-9a-f]* in: [1-9][0-9]* packets" "$gwd/cygnetd.log" ||
		fail "no inbound ESP packets counted on the SA"
	ns_exec gw ip route show table 201 dev cyg0 | grep -q 10.3.0.1 && fail "route to the vip left behind"
	charon_stop rw
	cygnetd_stop gw
	grep -E 'datapath (counters|verdict|drop)' "$gwd/cygnetd.log" >&2
	grep -q 'datapath drop ICV' "$gwd/cygnetd.log" && fail "ICV failures counted"
	log "ok"
}
