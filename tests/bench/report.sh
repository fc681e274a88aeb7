# shellcheck shell=bash
# tests/bench/report.sh — writes docs/bench.md from the variables run.sh and
# esp.sh set. Sourced by run.sh.

pct() { "$PY" -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print("%.0f%%" % (100*a/b) if b > 0 else "n/a")' "$1" "$2"; }
verdict() { "$PY" -c 'import sys
try:
    print("met" if float(sys.argv[1]) >= float(sys.argv[2]) else "NOT met")
except ValueError:
    print("not measured")' "$1" "$2"; }

bench_report() {
	local esp_ratio="n/a" esp_limit_ratio="n/a" cy_cell ss_cell
	local espu_ratio="n/a" espu_limit_ratio="n/a" cyu_cell
	if [ -n "${esp_cy_mbps:-}" ] && [ -n "${esp_ss_mbps:-}" ]; then
		esp_ratio=$(ratio "$esp_cy_mbps" "$esp_ss_mbps")
	fi
	if [ -n "${esp_cy_mbps:-}" ] && [ -n "${esp_limit_mbps:-}" ]; then
		esp_limit_ratio=$(pct "$esp_cy_mbps" "$esp_limit_mbps")
	fi
	# the compared pair: medians of the per-round ratios (esp_bench)
	if [ -n "${esp_cyu_round_ratios:-}" ] && [ "$esp_cyu_round_ratios" != n/a ]; then
		espu_ratio=${esp_cyu_round_ratios%%:*}
	fi
	if [ -n "${esp_cyu_round_pcts:-}" ] && [ "$esp_cyu_round_pcts" != n/a ]; then
		espu_limit_ratio=${esp_cyu_round_pcts%%:*}
	fi
	local espt_ratio="n/a" espt_limit_ratio="n/a"
	if [ -n "${esp_cyt_mbps:-}" ] && [ -n "${esp_ss_mbps:-}" ]; then
		espt_ratio=$(ratio "$esp_cyt_mbps" "$esp_ss_mbps")
	fi
	if [ -n "${esp_cyt_mbps:-}" ] && [ -n "${esp_limit_mbps:-}" ]; then
		espt_limit_ratio=$(pct "$esp_cyt_mbps" "$esp_limit_mbps")
	fi
	cy_cell=${esp_cy_mbps:-"—"}
	cyu_cell=${esp_cyu_mbps:-"—"}
	if [ -n "${esp_cy_mbps:-}" ]; then
		dp_note="cygnetd installs them in its own datapath (ESP flows, part b)."
	else
		dp_note="cygnetd in this build does not yet install CHILD SAs in a datapath (no ESP flows, part b), which spares it work that charon does: the IKE ratio is an upper bound until the datapath is wired."
	fi
	ss_cell=${esp_ss_mbps:-"—"}
	cat <<EOF
# Benchmarks: cygnet vs strongSwan

Written by \`make bench\` (tests/bench/run.sh). Same machine, same run, side by
side: read the **ratios**, not the absolute numbers, which depend on the machine
and on whatever else it runs.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Machine: $ncpu CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)
- Load average (1/5/15 min): before the IKE runs $load_before, after them $load_during
- cygnet: $cyg_rev (build $BUILD)
- strongSwan: charon $(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null)
  with \`$(echo "$CHARON_PLUGINS" | tr -s ' \n' ' ')\`
- $(openssl version), $(iperf3 --version | head -n1)

## (a) IKE: IKE_SA + CHILD_SA setups per second

Method: \`ikeload\` (tools/ikeload, the same initiator for both) sets up
N=$N IKE SAs, each with one CHILD SA in IKE_AUTH, with at most C=$C exchanges in
flight ($THREADS initiator thread(s)), then deletes them. Proposals
aes256gcm16-prfsha256-x25519 / ESP aes256gcm16, PSK authentication,
TS 10.9.0.0/16 (initiator) === 10.1.0.0/16 (responder; kernel-libipsec refuses a
CHILD SA whose remote TS covers the peer's IKE address, so the initiator
does not use its own address). Each responder runs in its own network namespace, pinned to
CPU $RESP_CPU (all threads); ikeload is pinned to CPU $LOAD_CPU. All three run
$( [ "$SCHED" = fifo ] && echo "SCHED_FIFO priority $RT_PRIO" || echo "at nice $NICE"), so that the other processes on the
shared machine do not add scheduling delay to every exchange. $REPEAT rounds,
alternating cygnetd and charon; the table shows the median round by setups/s
(range in brackets). "Responder CPU" is the responder process's user+system
time over all rounds (each round sets up and deletes its SAs) divided by the
successful setups (from /proc/PID/stat,
10 ms ticks) - it is much less sensitive to other load on the machine than the
wall-clock rate. charon is tuned for many SAs (ikesa_table_size 4096, 16
segments, no cookies or per-peer half-open block, \`unique = never\`, log
level 0); cygnetd runs with \`--log-level warn\` and the same two limits lifted
(\`daemon { cookie_threshold, peer_half_open_limit }\`). charon installs every CHILD SA
in kernel-libipsec (SAs, policies, a route); $dp_note All SAs of a run share
one selector pair: charon's libipsec installs policies per CHILD SA, cygnetd's
datapath installs each SA's ESP SAs under one shared reqid and policy set
(its log: \`reqid 1\` for every SA).

| responder | setups/s (range) | p50 ms | p99 ms | ok / failed (all rounds) | responder CPU ms per setup | setups per responder CPU s |
| --- | --- | --- | --- | --- | --- | --- |
| cygnetd | $cy_rate ($cy_min-$cy_max) | $cy_p50 | $cy_p99 | $cy_ok / $cy_fail | $cy_ms | $cy_cps |
| strongSwan charon | $ss_rate ($ss_min-$ss_max) | $ss_p50 | $ss_p99 | $ss_ok / $ss_fail | $ss_ms | $ss_cps |
| **ratio cygnetd / charon** | **${ike_ratio}x** | | | | | **${ike_cpu_ratio}x** |

$( [ "$N_LARGE" -gt 0 ] && cat <<T
One larger round each with N=$N_LARGE (same C), to see whether the cost per
setup grows with the number of SAs held:

| responder, N=$N_LARGE | setups/s | p50 ms | p99 ms | ok / failed | responder CPU ms per setup | setups per responder CPU s |
| --- | --- | --- | --- | --- | --- | --- |
| cygnetd | $cyl_rate | $cyl_p50 | $cyl_p99 | $cyl_ok / $cyl_fail | $cyl_ms | $cyl_cps |
| strongSwan charon | $ssl_rate | $ssl_p50 | $ssl_p99 | $ssl_ok / $ssl_fail | $ssl_ms | $ssl_cps |
| **ratio cygnetd / charon** | **${ike_large_ratio}x** | | | | | **${ike_large_cpu_ratio}x** |

T
)

Target: cygnetd at least 2x strongSwan in setups/s: **$(verdict "$ike_ratio" 2)** (${ike_ratio}x);
per responder CPU second: ${ike_cpu_ratio}x.

ikeload itself used $cy_lcpu s of CPU in the median cygnetd round, whose setup
and delete phases took $cy_wall s (charon round: $ss_lcpu s CPU in $ss_wall s;
ikeload's CPU time includes its start-up). An initiator does about as much
crypto per SA as a responder, so when ikeload's CPU time approaches the
round's wall time, the cygnetd rate is bounded by the initiator, not by
cygnetd; the CPU-per-setup column is the figure that is free of that bound.
$("$PY" -c 'import sys
c, w = float(sys.argv[1]), float(sys.argv[2])
if w > 0 and c >= 0.8 * w:
    print("**In this run ikeload was saturated in the cygnetd rounds** (%.2f s CPU in %.2f s): the cygnetd rate, and so the setups/s ratio, is a lower bound of what cygnetd sustains; the CPU ratio estimates its capacity." % (c, w))
else:
    print("In this run ikeload was not saturated in the cygnetd rounds (%.2f s CPU in %.2f s)." % (c, w))' "$cy_lcpu" "$cy_wall")

## (b) ESP: TCP throughput through a site-to-site tunnel

Method: two gateways in two namespaces on one veth (192.0.2.1, 192.0.2.2),
tunnel 10.1.0.0/24 <-> 10.2.0.0/24, AES-256-GCM (ESP aes256gcm16, IKE
aes256gcm16-prfsha256-x25519, PSK); iperf3 TCP for $IPERF_S s from 10.1.0.1 to
10.2.0.1. Both gateways and iperf3 share the machine's $ncpu CPUs (unpinned)
and run $( [ "$ESP_SCHED" = rr ] && echo "SCHED_RR priority ${RT_PRIO:-10}" || echo "at nice ${NICE:--10}"), the same for both pairs.
strongSwan: two charons with kernel-libipsec (openssl plugin first; libipsec
always uses UDP encapsulation). cygnet: two cygnetd with \`datapath = userspace\`
(TUN device with TSO/GRO offloads) and \`encap = yes\` on both, so that
their tunnel is the same as the charons' (ESP in UDP on port 4500): cygnetd
sends a run of ESP packets with one UDP GSO send and receives them with UDP
GRO. That is the comparison the targets apply to. Two more rows show
cygnetd's other settings in the same topology: raw ESP (protocol 50, what two
cygnetd use without NAT and without \`encap\`: the kernel takes every packet
through its IP stack on both sides, and raw sockets have no GSO/GRO), and
ESP in UDP with the default \`datapath_threads = auto\` (a TX and an RX
thread on a machine with two CPUs; the first rows keep ESP on the event
loop because two gateways and two iperf3 already share the two CPUs here,
so threads have no idle core and cost wakeups). Limit: single-core
\`openssl speed -evp aes-256-gcm -bytes 1400\`.

The first three rows are medians of $ESP_REPEAT rounds (each round: the limit,
strongSwan, cygnet, in that order, about 25 s); every round's number is in the
last column. The two ratios are taken per round, so that each compares runs
made within the same half minute, and their median is the result. The rows
below them are one run each, compared with the medians.

| path | Mbit/s | rounds |
| --- | --- | --- |
| **cygnet, ESP in UDP** (two cygnetd, \`encap = yes\`, \`datapath_threads = 0\`) | $cyu_cell | ${esp_cyu_runs:-} |
| strongSwan (two charons, kernel-libipsec, ESP in UDP) | $ss_cell | ${esp_ss_runs:-} |
| single-core AES-256-GCM limit (openssl speed, 1400 B) | ${esp_limit_mbps:-—} | ${esp_limit_runs:-} |
| **ratio cygnet / strongSwan** (median of the rounds' ratios) | **$espu_ratio** | ${esp_cyu_round_ratios#*: } |
| **cygnet / single-core limit** (median of the rounds' ratios) | **$espu_limit_ratio** | ${esp_cyu_round_pcts#*: } |
| cygnet, raw ESP (two cygnetd, no NAT, no \`encap\`) | $cy_cell | |
| ratio raw ESP / strongSwan; raw ESP / limit | $esp_ratio; $esp_limit_ratio | |
| cygnet, ESP in UDP, \`datapath_threads = auto\` (TX and RX threads) | ${esp_cyt_mbps:-—} | |
| ratio with threads / strongSwan; with threads / limit | $espt_ratio; $espt_limit_ratio | |
| same veth in the clear (no tunnel, 5 s) | ${esp_clear_mbps:-—} | |

Targets (at least 3x strongSwan libipsec; at least 40% of the single-core
limit), for the same tunnel: **$(verdict "$espu_ratio" 3)** and
**$(verdict "${espu_limit_ratio%\%}" 40)**. Raw ESP: $(verdict "$esp_ratio" 3) and
$(verdict "${esp_limit_ratio%\%}" 40); with threads: $(verdict "$espt_ratio" 3) and
$(verdict "${espt_limit_ratio%\%}" 40).
A single iperf3 run on this shared machine varies by 10-20%: compare the
medians, and the rounds for the spread. Where cygnet's ESP time goes:
docs/bench-profile.md.
$( [ -n "${esp_cy_note:-}" ] && printf '\ncygnet raw ESP: %s\n' "$esp_cy_note")
$( [ -n "${esp_cyu_note:-}" ] && printf '\ncygnet ESP in UDP: %s\n' "$esp_cyu_note")
$( [ -n "${esp_cyt_note:-}" ] && printf '\ncygnet ESP in UDP, threads: %s\n' "$esp_cyt_note")
$( [ -n "${esp_ss_note:-}" ] && printf '\nstrongSwan: %s\n' "$esp_ss_note")

## Notes

- This machine is shared: other processes ran during the benchmark (see the
  load averages above; with $ncpu CPUs a load above $ncpu means the benchmark
  competed for CPU). Wall-clock rates vary from run to run; the ratios of the
  same run and the CPU-per-setup figures are the numbers to compare.
- UDP receive-buffer drops counted in the namespaces over all IKE rounds
  (a drop costs a 4 s retransmission and stretches a round): cygnetd
  ${drops_gc:-?}, charon ${drops_gs:-?}, ikeload ${drops_ld:-?}.
- IKE load comes from one source address and one identity; both responders
  are configured not to treat that as a reason to refuse or replace SAs.
- Where the time goes (perf profiles of cygnetd and charon, taken by hand):
  docs/bench-profile.md.
- Raw logs of this run were in a temporary directory removed at exit;
  re-run \`make bench\` (BENCH_N, BENCH_N_LARGE, BENCH_C, BENCH_REPEAT,
  BENCH_THREADS, BENCH_RESP_CPU, BENCH_LOAD_CPU, BENCH_SCHED=fifo|nice,
  BENCH_ESP_SCHED=rr|nice, BENCH_ESP=0, BENCH_IPERF_SECONDS, BENCH_ESP_REPEAT adjust it;
  tests/bench/esp_only.sh runs part (b) alone and prints its numbers).
EOF
}
