# shellcheck shell=bash
# tests/bench/esp.sh — part (b) of make bench, sourced by run.sh (ns.sh and
# charon.sh already loaded). Site-to-site tunnel 10.1.0.0/24 <-> 10.2.0.0/24
# between two gateways (192.0.2.1 and 192.0.2.2 on one veth), iperf3 TCP
# from 10.1.0.1 to 10.2.0.1 for IPERF_S seconds, AES-256-GCM. Sets:
#   esp_limit_mbps                  single-core openssl speed at 1400 bytes
#   esp_ss_mbps  esp_ss_note        two charons with kernel-libipsec
#   esp_cy_mbps  esp_cy_note        two cygnetd (empty mbps: skipped, note says why)
#   esp_clear_mbps                  the same veth without a tunnel

# The machine is shared: gateways and iperf3 of both pairs run SCHED_RR
# (BENCH_ESP_SCHED=rr, default) or at nice $NICE (=nice) alike, so that the
# other processes add as little as possible (RR, not FIFO: the busy processes
# of one pair take turns on a CPU).
ESP_SCHED=${BENCH_ESP_SCHED:-rr}
if [ "$ESP_SCHED" = rr ]; then
	ESP_PRIO=(chrt -r "${RT_PRIO:-10}")
else
	ESP_PRIO=(nice -n "${NICE:--10}")
fi
esp_prio_pid() {
	local t
	for t in /proc/"$1"/task/*; do
		if [ "$ESP_SCHED" = rr ]; then
			chrt -r -p "${RT_PRIO:-10}" "${t##*/}" >/dev/null 2>&1
		else
			renice -n "${NICE:--10}" -p "${t##*/}" >/dev/null 2>&1
		fi
	done
}

esp_limit() {
	local kbs
	kbs=$(timeout 60 taskset -c "$LOAD_CPU" openssl speed -evp aes-256-gcm -bytes 1400 \
		-seconds 3 2>/dev/null | awk '/^AES-256-GCM/ { sub(/k$/, "", $2); print $2 }')
	[ -n "$kbs" ] || { echo ""; return; }
	"$PY" -c 'import sys; print("%.0f" % (float(sys.argv[1]) * 1000 * 8 / 1e6))' "$kbs"
}

# iperf3 from namespace A (10.1.0.1) to B (10.2.0.1); prints Mbit/s or "".
esp_iperf() {
	local a=$1 b=$2 dst=${3:-10.2.0.1} src=${4:-10.1.0.1} spid json
	spid=$(ns_bg "$b" "$(ns_dir "$b")/iperf3-server.log" timeout $((IPERF_S + 40)) \
		"${ESP_PRIO[@]}" iperf3 -s -1 -B "$dst")
	wait_for_quiet "ns_exec $b ss -ltn | grep -q '$dst:5201'" 5 || { echo ""; return; }
	json=$(ns_exec "$a" timeout $((IPERF_S + 30)) "${ESP_PRIO[@]}" iperf3 -c "$dst" -B "$src" \
		-t "$IPERF_S" -J 2>/dev/null)
	kill "$spid" 2>/dev/null
	printf '%s\n' "$json" >"$(ns_dir "$a")/iperf3.json"
	"$PY" -c 'import json,sys
try:
    j = json.loads(sys.stdin.read()); print("%.0f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print("")' <<<"$json"
}

esp_pair() {
	local a=$1 b=$2
	ns_create "$a" "$b"
	ns_veth "$a" eth0 192.0.2.1/24 "$b" eth0 192.0.2.2/24
	ns_exec "$a" ip addr add 10.1.0.1/24 dev lo
	ns_exec "$b" ip addr add 10.2.0.1/24 dev lo
}

# swanctl.conf for one side: esp_swanctl FILE LOCAL REMOTE LID RID LTS RTS
#   [CHILD_EXTRA [PREFIX [CONN_EXTRA]]]
esp_swanctl() {
	cat >"$1" <<CONF
${9:-}
connections {
	s2s {
		version = 2
		${10:-}
		local_addrs = $2
		remote_addrs = $3
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = $4
		}
		remote {
			auth = psk
			id = $5
		}
		children {
			net {
				local_ts = $6
				remote_ts = $7
				esp_proposals = aes256gcm16
				$8
			}
		}
	}
}
secrets {
	ike-s2s {
		id-1 = a.example
		id-2 = b.example
		secret = "$PSK"
	}
}
CONF
}

esp_strongswan() {
	esp_ss_mbps=""
	esp_ss_note=""
	esp_pair sa sb
	CHARON_LOG="default = 1"
	CHARON_EXTRA=""
	esp_swanctl "$(ns_dir sa)/swanctl.conf" 192.0.2.1 192.0.2.2 a.example b.example \
		10.1.0.0/24 10.2.0.0/24 ""
	esp_swanctl "$(ns_dir sb)/swanctl.conf" 192.0.2.2 192.0.2.1 b.example a.example \
		10.2.0.0/24 10.1.0.0/24 ""
	charon_start sa
	charon_start sb
	charon_load sa "$(ns_dir sa)/swanctl.conf" >/dev/null
	charon_load sb "$(ns_dir sb)/swanctl.conf" >/dev/null
	esp_prio_pid "$(charon_pid sa)"
	esp_prio_pid "$(charon_pid sb)"
	if ! charon_swanctl sa --initiate --child net --timeout 15 >/dev/null 2>&1; then
		esp_ss_note="strongSwan tunnel did not come up"
	elif ! wait_for_quiet "ns_exec sa ping -c1 -W1 -I 10.1.0.1 10.2.0.1" 10; then
		esp_ss_note="no ping through the strongSwan tunnel"
	else
		esp_ss_mbps=$(esp_iperf sa sb)
		[ -n "$esp_ss_mbps" ] || esp_ss_note="iperf3 failed through the strongSwan tunnel"
	fi
	log "strongSwan libipsec: ${esp_ss_mbps:-n/a} Mbit/s $esp_ss_note"
	charon_stop sa
	charon_stop sb
	ns_remove sa sb
}

# cygnetd's datapath section (its userspace ESP on a TUN device).
# No datapath threads unless $2 says otherwise: in this topology two gateways
# and two iperf3 share the machine's CPUs, so threads have no idle core
# (docs/datapath.md "Threads"); the default is measured in a row of its own.
esp_cygnet_daemon() {
	printf 'daemon {\n\tdatapath = userspace\n\ttun_name = cygb%s\n\tdatapath_threads = %s\n}\n' \
		"$1" "${2:-${BENCH_DP_THREADS:-0}}"
}

# Two cygnetd: A initiates at start (start_action = start). esp_cygnet
# [udp|udp-auto]: raw ESP (no NAT, the default) or, with udp, ESP in UDP
# forced by `encap = yes` on both (what libipsec always uses); udp-auto is
# that with the default `datapath_threads = auto`. Sets esp_cy_mbps /
# esp_cy_note, esp_cyu_mbps / esp_cyu_note or esp_cyt_mbps / esp_cyt_note.
esp_cygnet() {
	local d pid mbps="" note="" a=ca b=cb encap="" threads=""
	case "${1:-}" in
	udp) a=cu; b=cv; encap="encap = yes" ;;
	udp-auto) a=cw; b=cx; encap="encap = yes"; threads=auto ;;
	esac
	esp_pair $a $b
	esp_swanctl "$(ns_dir $a)/cygnet.conf" 192.0.2.1 192.0.2.2 a.example b.example \
		10.1.0.0/24 10.2.0.0/24 "start_action = start" "$(esp_cygnet_daemon $a $threads)" \
		"$encap"
	esp_swanctl "$(ns_dir $b)/cygnet.conf" 192.0.2.2 192.0.2.1 b.example a.example \
		10.2.0.0/24 10.1.0.0/24 "" "$(esp_cygnet_daemon $b $threads)" "$encap"
	for n in $b $a; do
		d=$(ns_dir "$n")
		pid=$(ns_bg "$n" "$d/cygnetd.log" "$CYGNETD" --foreground --log-level info \
			--config "$d/cygnet.conf")
		at_cleanup "kill $pid"
		if ! wait_for_quiet "grep -q 'started, IKE on UDP' '$d/cygnetd.log'" 5; then
			note="cygnetd did not start in $n"
			break
		fi
		esp_prio_pid "$pid"
	done
	if [ -n "$note" ]; then
		:
	elif ! wait_for_quiet "grep -q \"CHILD SA 'net' installed\" '$(ns_dir $a)/cygnetd.log'" 15; then
		note="the cygnetd site-to-site CHILD SA did not come up"
	elif ! wait_for_quiet "ns_exec $a ping -c1 -W1 -I 10.1.0.1 10.2.0.1" 10; then
		note="skipped: the CHILD SA is up, but no packet passes the cygnetd tunnel"
	else
		mbps=$(esp_iperf $a $b)
		[ -n "$mbps" ] || note="iperf3 failed through the cygnetd tunnel"
	fi
	log "cygnet ${1:-raw}: ${mbps:-n/a} Mbit/s $note"
	ns_remove $a $b
	case "${1:-}" in
	udp) esp_cyu_mbps=$mbps; esp_cyu_note=$note ;;
	udp-auto) esp_cyt_mbps=$mbps; esp_cyt_note=$note ;;
	*) esp_cy_mbps=$mbps; esp_cy_note=$note ;;
	esac
}

# Per-round ratios of two space-separated lists ("-" for a round without a
# number), as "median: r1 r2 ..." (digits after the point: $3; 0 gives
# percent).
esp_round_ratios() {
	"$PY" -c 'import sys, statistics as s
a, b, d = sys.argv[1].split(), sys.argv[2].split(), int(sys.argv[3])
r = [float(x) / float(y) for x, y in zip(a, b) if "-" not in (x, y) and float(y) > 0]
f = (lambda v: "%.0f%%" % (100 * v)) if d == 0 else (lambda v: "%.2f" % v)
print(f(s.median(r)) + ": " + " ".join(f(v) for v in r) if r else "n/a")' "$1" "$2" "$3"
}

# Median of the numbers given (empty if none).
esp_median() {
	"$PY" -c 'import sys, statistics as s
v = [float(x) for x in sys.argv[1:] if x not in ("", "-")]
print("%.0f" % s.median(v) if v else "")' "$@"
}

# The compared pair (strongSwan and cygnet with the same tunnel) and the limit
# are measured ESP_REPEAT times, alternating, and reported as medians with
# their range: one run on this shared machine varies by 10-20%.
esp_bench() {
	local lim=() ss=() cy=() r
	for r in $(seq "$ESP_REPEAT"); do
		lim+=("$(esp_limit)")
		lim[-1]=${lim[-1]:--}	# "-": this round has no number
		log "round $r: openssl speed aes-256-gcm 1400 bytes, one core: ${lim[-1]:-n/a} Mbit/s"
		esp_strongswan
		ss+=("${esp_ss_mbps:--}")
		esp_cygnet udp
		cy+=("${esp_cyu_mbps:--}")
	done
	esp_limit_mbps=$(esp_median "${lim[@]}")
	esp_ss_mbps=$(esp_median "${ss[@]}")
	esp_cyu_mbps=$(esp_median "${cy[@]}")
	esp_limit_runs="${lim[*]}"
	esp_ss_runs="${ss[*]}"
	esp_cyu_runs="${cy[*]}"
	# the ratios of each round (its runs are half a minute apart), then
	# their median: the machine's speed changes between rounds
	esp_cyu_round_ratios=$(esp_round_ratios "${cy[*]}" "${ss[*]}" 2)
	esp_cyu_round_pcts=$(esp_round_ratios "${cy[*]}" "${lim[*]}" 0)
	# a note only if no round worked
	[ -n "$esp_ss_mbps" ] && esp_ss_note=""
	[ -n "$esp_cyu_mbps" ] && esp_cyu_note=""
	esp_cygnet
	esp_cygnet udp-auto
	# the clear path for scale (same veth, no tunnel)
	ns_create cl1 cl2
	ns_veth cl1 eth0 192.0.2.1/24 cl2 eth0 192.0.2.2/24
	esp_clear_mbps=$(IPERF_S=5 esp_iperf cl1 cl2 192.0.2.2 192.0.2.1)
	log "clear veth: ${esp_clear_mbps:-n/a} Mbit/s"
}
