#!/usr/bin/env bash
# Road warrior (strongSwan, kernel-libipsec) <-> cygnetd, ESP ChaCha20-Poly1305 (RFC 7634),
# tunnel mode, virtual IP: ping and iperf3 to a LAN host behind cygnetd.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_rw.sh"
esp_rw_run chacha20poly1305
