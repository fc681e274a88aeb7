#!/usr/bin/env bash
# The ESP part of make bench alone, for working on the datapath: prints the
# numbers, writes nothing. Usage:
# tests/bench/esp_only.sh [cygnet|udp|udp-auto|strongswan|all] (default cygnet:
# raw ESP). Same variables as run.sh (BUILD, BENCH_IPERF_SECONDS,
# BENCH_ESP_SCHED, BENCH_LOAD_CPU, BENCH_DP_THREADS).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=benchesp
. "$root/tests/lib/ns.sh"
. "$root/tests/lib/charon.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
LOAD_CPU=${BENCH_LOAD_CPU:-0}
IPERF_S=${BENCH_IPERF_SECONDS:-10}
ESP_REPEAT=${BENCH_ESP_REPEAT:-3}
PSK=cygnet-bench-psk-0123456789
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
what=${1:-cygnet}

need_root
need_cmd ip unshare iperf3 openssl "$PY" "$CYGNETD"
. "$here/esp.sh"
case $what in
strongswan) esp_strongswan ;;
udp) esp_cygnet udp ;;
udp-auto) esp_cygnet udp-auto ;;
all) esp_limit_mbps=$(esp_limit); esp_strongswan; esp_cygnet udp; esp_cygnet; esp_cygnet udp-auto ;;
*) esp_cygnet ;;
esac
echo "limit=${esp_limit_mbps:-} strongswan=${esp_ss_mbps:-} ${esp_ss_note:-} cygnet=${esp_cy_mbps:-} ${esp_cy_note:-} cygnet_udp=${esp_cyu_mbps:-} ${esp_cyu_note:-} cygnet_udp_auto=${esp_cyt_mbps:-} ${esp_cyt_note:-}"
