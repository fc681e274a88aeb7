# shellcheck shell=bash
# tests/lib/charon.sh — stock strongSwan charon as a test peer, one per
# network namespace. Source tests/lib/ns.sh first.
#
# Each instance NAME lives in namespace NAME (made with ns_create) and in
# $(ns_dir NAME): strongswan.conf, run/ (bind-mounted over /run in charon's
# private mount namespace, so pid files never collide), charon.vici (the
# VICI socket), charon.log.
#
# Variables (read by charon_conf)
#   CHARON_PLUGINS   plugin list (load_modular = no); default below, with
#                    openssl first and kernel-libipsec before kernel-netlink
#   CHARON_LOG       filelog levels, default "default = 1 ike = 2 cfg = 2"
#   CHARON_EXTRA     extra text put inside the charon { } section
#
#   charon_conf NAME             write $(ns_dir NAME)/strongswan.conf
#   charon_start NAME            start charon in NAME (writes the conf if
#                                missing), wait up to 10 s for its socket
#   charon_uri NAME              print "unix://…/charon.vici"
#   charon_swanctl NAME CMD...   swanctl CMD --uri … (e.g. --list-sas),
#                                killed after SWANCTL_TIMEOUT s (default 30)
#   charon_load NAME FILE        swanctl --load-all --file FILE; FILE's
#                                directory is SWANCTL_DIR (x509/, private/…)
#   charon_initiate NAME CHILD [TIMEOUT]   swanctl --initiate --child CHILD
#   charon_stop NAME             SIGTERM charon, wait up to 5 s (then KILL)
#   charon_log NAME              print the log path

CHARON_BIN=${CHARON_BIN:-/usr/lib/ipsec/charon}
CHARON_PLUGINS=${CHARON_PLUGINS:-openssl random nonce aes sha1 sha2 hmac gcm \
chapoly curve25519 x509 pem pkcs1 pkcs8 pubkey kdf kernel-libipsec \
kernel-netlink socket-default vici updown attr}
CHARON_LOG=${CHARON_LOG:-default = 1
ike = 2
cfg = 2}
CHARON_EXTRA=${CHARON_EXTRA:-}

charon_uri() { printf 'unix://%s/charon.vici' "$(ns_dir "$1")"; }
charon_log() { printf '%s/charon.log' "$(ns_dir "$1")"; }

charon_conf() {
	local d
	d=$(ns_dir "$1")
	cat >"$d/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = $CHARON_PLUGINS
	plugins {
		vici {
			socket = $(charon_uri "$1")
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	filelog {
		test {
			path = $d/charon.log
			time_format = %H:%M:%S
			ike_name = yes
			flush_line = yes
			append = no
$(printf '%s\n' "$CHARON_LOG" | sed 's/^[[:space:]]*/\t\t\t/')
		}
	}
$CHARON_EXTRA
}
EOF
}

charon_start() {
	local n=$1 d
	d=$(ns_dir "$n")
	[ -f "$d/strongswan.conf" ] || charon_conf "$n"
	mkdir -p "$d/run"
	rm -f "$d/charon.vici"
	ns_bg "$n" "$d/charon.out" unshare -m --propagation private sh -c \
		"mount --bind '$d/run' /run && STRONGSWAN_CONF='$d/strongswan.conf' exec '$CHARON_BIN'" >/dev/null
	wait_for "[ -S '$d/charon.vici' ] && SWANCTL_TIMEOUT=2 charon_swanctl '$n' --stats" 10 \
		"charon in $n did not open its VICI socket (see $d/charon.log, $d/charon.out)"
	log "charon $n up"
}

charon_swanctl() {
	local n=$1 cmd=$2
	shift 2
	# Bounded: swanctl waits forever on a charon that does not answer.
	timeout "${SWANCTL_TIMEOUT:-30}" swanctl "$cmd" --uri "$(charon_uri "$n")" "$@"
}

charon_load() {
	local dir
	dir=$(cd "$(dirname "$2")" && pwd)
	SWANCTL_DIR=$dir charon_swanctl "$1" --load-all --file "$dir/$(basename "$2")" ||
		fail "swanctl --load-all in $1 failed"
}

charon_initiate() {
	charon_swanctl "$1" --initiate --child "$2" --timeout "${3:-15}" ||
		fail "initiate $2 from $1 failed (see $(charon_log "$1"))"
}

# Charon's pid: the process in $(ns_dir NAME)/run/charon.pid.
charon_pid() { cat "$(ns_dir "$1")/run/charon.pid" 2>/dev/null; }

charon_stop() {
	local n=$1 pid
	pid=$(charon_pid "$n")
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_for_quiet "! kill -0 $pid" 5 || kill -KILL "$pid" 2>/dev/null
	log "charon $n stopped"
}
