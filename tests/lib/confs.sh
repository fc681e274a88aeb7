# shellcheck shell=bash
# tests/lib/confs.sh — the standard road-warrior pair most tests start from.
#
#   conf_gw_psk FILE PSK [CONN_KEYS]   gateway 192.0.2.1 (id gw.example) for cygnetd
#       or charon (same syntax):
#       connection "rw", pool "rwpool" 10.3.0.0/28 with DNS 10.1.0.53 and
#       10.1.0.54, child "net" local_ts 10.1.0.0/24; CONN_KEYS (lines such as
#       "dpd_delay = 2s") go into the connection section.
#   conf_rw_psk FILE PSK [CONN_KEYS]   strongSwan road warrior (id rw1.example):
#       connection "home" to 192.0.2.1 asking for a virtual IP, child "home"
#       remote_ts 10.1.0.0/24; CONN_KEYS as above.
# Both use aes256gcm16-prfsha256-x25519 and ESP aes256gcm16.
#
# Blocks that conf_gw_psk and conf_rw_psk are made of, printed to stdout, for files
# that need more (a second connection, another pool or secret):
#   conf_conn_gw_rw [CONN_KEYS]     the gateway's connection "rw" (a section
#       to put inside "connections { }")
#   conf_conn_rw_home [CONN_KEYS]   the road warrior's connection "home"
#   conf_pools_rw KEY...            "pools { rwpool { KEY... } }", one key a line
#   conf_secret_psk NAME PSK        the secret "ike-NAME" for gw.example and
#       rw1.example (a section to put inside "secrets { }")

conf_gw_psk() {
	local file=$1 psk=$2 extra=${3:-}
	{
		echo "connections {"
		conf_conn_gw_rw "$extra"
		echo "}"
		conf_pools_rw "addrs = 10.3.0.0/28" "dns = 10.1.0.53, 10.1.0.54"
		echo "secrets {"
		conf_secret_psk rw "$psk"
		echo "}"
	} >"$file"
}

conf_rw_psk() {
	local file=$1 psk=$2 extra=${3:-}
	{
		echo "connections {"
		conf_conn_rw_home "$extra"
		echo "}"
		echo "secrets {"
		conf_secret_psk gw "$psk"
		echo "}"
	} >"$file"
}

conf_conn_gw_rw() {
	cat <<CONF
	rw {
		version = 2
		local_addrs = 192.0.2.1
		pools = rwpool
		proposals = aes256gcm16-prfsha256-x25519
		${1:-}
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
CONF
}

conf_conn_rw_home() {
	cat <<CONF
	home {
		version = 2
		remote_addrs = 192.0.2.1
		vips = 0.0.0.0
		proposals = aes256gcm16-prfsha256-x25519
		${1:-}
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
CONF
}

conf_pools_rw() {
	local k
	printf 'pools {\n\trwpool {\n'
	for k in "$@"; do printf '\t\t%s\n' "$k"; done
	printf '\t}\n}\n'
}

conf_secret_psk() {
	cat <<CONF
	ike-$1 {
		id-1 = gw.example
		id-2 = rw1.example
		secret = "$2"
	}
CONF
}

# cygnetd as the road warrior, strongSwan as the gateway (the initiator tests):
#   conf_sw_gw FILE PSK [POOL_KEYS]    strongSwan gateway 192.0.2.1 (id
#       gw.example) for the peer cygnet.example: connection "rw", pool
#       "rwpool" 10.3.0.0/28 (POOL_KEYS, e.g. "dns = 10.1.0.53", go into it),
#       child "net" local_ts 10.1.0.0/24.
#   conf_cyg_rw FILE PSK               cygnetd road warrior (id
#       cygnet.example): connection "home" to 192.0.2.1 asking for a virtual
#       IP, child "home" remote_ts 10.1.0.0/24 with start_action = start.
conf_sw_gw() {
	local file=$1 psk=$2 pool_keys=${3:-}
	cat >"$file" <<CONF
connections {
	rw {
		local_addrs = 192.0.2.1
		pools = rwpool
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = gw.example
		}
		remote {
			auth = psk
			id = cygnet.example
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
		$pool_keys
	}
}
secrets {
	ike-rw {
		id = cygnet.example
		secret = "$psk"
	}
}
CONF
}

conf_cyg_rw() {
	local file=$1 psk=$2
	cat >"$file" <<CONF
connections {
	home {
		remote_addrs = 192.0.2.1
		vips = 0.0.0.0
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = cygnet.example
		}
		remote {
			auth = psk
			id = gw.example
		}
		children {
			home {
				remote_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
				start_action = start
			}
		}
	}
}
secrets {
	ike-gw {
		id = gw.example
		secret = "$psk"
	}
}
CONF
}
