# shellcheck shell=bash
# tests/lib/esp_pair.sh — two cygnetd instances on one link, host to host:
#   a (192.0.2.1) ---- b (192.0.2.2)
# Source ns.sh and cygnetd.sh first.
#
#   esp_pair_setup MODE A_START [A_EXTRA [A_CHILD_EXTRA]]
#       writes cygnet.conf for a (initiator side: children.host.start_action
#       = A_START, A_EXTRA lines inside the connection, A_CHILD_EXTRA inside
#       the child) and b (responder);
#       MODE tunnel|transport; selectors are the two hosts (dynamic).
#   esp_pair_conf NAME ME PEER MYID PEERID MODE START [EXTRA [CHILD_EXTRA]]
#   ESP_PAIR_THREADS_a / ESP_PAIR_THREADS_b: that side's datapath_threads
#       (default auto)

esp_pair_conf() {
	local n=$1 me=$2 peer=$3 myid=$4 peerid=$5 mode=$6 start=$7 extra=${8:-} cextra=${9:-}
	local threads_var="ESP_PAIR_THREADS_$n"
	cat >"$(ns_dir "$n")/cygnet.conf" <<CONF
daemon {
	datapath = userspace
	datapath_threads = ${!threads_var:-auto}
	tun_name = cyg$n
}
connections {
	host {
		version = 2
		local_addrs = $me
		remote_addrs = $peer
		proposals = aes256gcm16-prfsha256-x25519
$extra
		local {
			auth = psk
			id = $myid
		}
		remote {
			auth = psk
			id = $peerid
		}
		children {
			host {
				mode = $mode
				esp_proposals = aes256gcm16
				start_action = $start
$cextra
			}
		}
	}
}
secrets {
	ike-host {
		id-1 = a.example
		id-2 = b.example
		secret = "cygnet-esp-pair-psk"
	}
}
CONF
}

esp_pair_setup() {
	local mode=$1 start=$2 extra=${3:-} cextra=${4:-}
	need_root
	need_cmd ip ping "$CYGNETD"
	ns_create a b
	ns_veth a eth0 192.0.2.1/24 b eth0 192.0.2.2/24
	esp_pair_conf a 192.0.2.1 192.0.2.2 a.example b.example "$mode" "$start" "$extra" "$cextra"
	esp_pair_conf b 192.0.2.2 192.0.2.1 b.example a.example "$mode" none
}

# iperf3 from a to b (bounded); prints and echoes the receiver Mbit/s.
esp_pair_iperf() {
	local out mbits
	need_cmd iperf3
	ns_bg b "$(ns_dir b)/iperf3.log" iperf3 -s -1 -B 192.0.2.2 >/dev/null
	wait_for "ns_exec b ss -ltn | grep -q ':5201'" 5 "iperf3 server did not listen"
	if ! out=$(ns_exec a timeout 30 iperf3 -c 192.0.2.2 -t 3 -f m 2>&1); then
		printf '%s\n' "$out" >&2
		fail "iperf3 a -> b failed"
	fi
	printf '%s\n' "$out" | tail -n 4 >&2
	mbits=$(printf '%s\n' "$out" | awk '/receiver/ { print $(NF-2) }')
	[ -n "$mbits" ] || fail "iperf3 printed no receiver rate"
	echo "$mbits"
}
