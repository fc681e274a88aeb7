#!/usr/bin/env bash
# Road warrior (strongSwan, kernel-libipsec) behind a MASQUERADE NAT <->
# cygnetd, AES-256-GCM-16: the ESP in UDP follows the NAT's mapping; ping and
# iperf3 from the RW's virtual IP to a LAN host behind cygnetd.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=dpw
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"
. "$here/../lib/cygnetd.sh"
. "$here/../lib/esp_rw.sh"
ESP_RW_NAT=1 esp_rw_run aes256gcm16
