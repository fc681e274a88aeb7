#!/usr/bin/env bash
# Road warrior (strongSwan, kernel-libipsec) <-> cygnetd, ESP AES-256-GCM-16,
# tunnel mode, virtual IP: ping and iperf3 to a LAN host behind cygnetd.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_rw.sh"
esp_rw_run aes256gcm16
