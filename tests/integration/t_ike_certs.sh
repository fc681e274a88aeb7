#!/usr/bin/env bash
# Certificate authentication against stock strongSwan: the road warrior
# authenticates with an ECDSA P-256 certificate, cygnetd with an RSA-2048
# one (the test PKI in tests/fixtures/pki, made with OpenSSL by its gen.sh),
# each side trusting the other's root CA; RFC 7427 signatures; IKE_AUTH
# is fragmented (RFC 7383) in both directions. The RW gets
# a virtual IP and its CHILD SA. A second RW whose certificate comes from a
# CA cygnetd does not trust is refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NS_PREFIX=ikec
. "$here/../lib/ns.sh"
. "$here/../lib/charon.sh"

BUILD=${BUILD:-build/rel}
CYGNETD=$root/$BUILD/cygnetd
PKI=$root/tests/fixtures/pki
need_root
need_cmd ip unshare swanctl "$CHARON_BIN" "$CYGNETD"

ns_create gw rw
ns_veth gw eth0 192.0.2.1/24 rw eth0 192.0.2.100/24

gwd=$(ns_dir gw)
mkdir -p "$gwd/x509" "$gwd/x509ca" "$gwd/private"
cp "$PKI/gw.crt" "$gwd/x509/"
cp "$PKI/gw.key" "$gwd/private/"
cp "$PKI/ca-ecdsa.crt" "$gwd/x509ca/"
cat >"$gwd/cygnet.conf" <<CONF
connections {
	rw {
		local_addrs = 192.0.2.1
		pools = rwpool
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = pubkey
			certs = gw.crt
			id = gw.example
		}
		remote {
			auth = pubkey
			cacerts = ca-ecdsa.crt
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
		dns = 10.1.0.53
	}
}
CONF

rwd=$(ns_dir rw)
mkdir -p "$rwd/x509" "$rwd/x509ca" "$rwd/private"
cp "$PKI/rw.crt" "$rwd/x509/"
cp "$PKI/rw.key" "$rwd/private/"
cp "$PKI/ca-rsa.crt" "$rwd/x509ca/"
rw_conf() {
	cat <<CONF
connections {
	home {
		remote_addrs = 192.0.2.1
		vips = 0.0.0.0
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = pubkey
			certs = $1
			id = $2
		}
		remote {
			auth = pubkey
			id = gw.example
		}
		children {
			home {
				remote_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16
			}
		}
	}
}
CONF
}
rw_conf rw.crt rw.example >"$rwd/swanctl.conf"

"$CYGNETD" --check-config "$gwd/cygnet.conf" >&2 || fail "cygnetd rejects its config"
gwpid=$(ns_bg gw "$gwd/cygnetd.log" "$CYGNETD" --foreground --log-level debug \
	--config "$gwd/cygnet.conf" --pidfile "$gwd/cygnetd.pid")
at_cleanup "kill $gwpid"
wait_for "grep -q 'started, IKE on UDP' '$gwd/cygnetd.log'" 5 "cygnetd did not start"
charon_start rw
charon_load rw "$rwd/swanctl.conf"
if ! charon_swanctl rw --initiate --child home --timeout 15 >&2; then
	tail -n 30 "$gwd/cygnetd.log" >&2
	fail "initiate with certificates failed"
fi
sas=$(charon_swanctl rw --list-sas)
printf '%s\n' "$sas" >&2
grep -q 'ESTABLISHED' <<<"$sas" || fail "RW: no ESTABLISHED IKE SA"
grep -q 'INSTALLED' <<<"$sas" || fail "RW: no INSTALLED CHILD SA"
grep -q "authentication of 'gw.example' with RSA.* successful" "$(charon_log rw)" ||
	fail "RW did not verify the gateway's RSA signature"
grep -q "certificate 'C=CH, O=Cygnet Test, CN=rw@example' verified" "$gwd/cygnetd.log" ||
	fail "cygnetd did not verify the RW certificate"
grep -q "authentication of 'rw.example' with public key successful" "$gwd/cygnetd.log" ||
	fail "cygnetd: no public key authentication"
grep -q 'installing new virtual IP 10\.3\.0\.' "$(charon_log rw)" || fail "no virtual IP"
# the gateway's RSA certificate pushes IKE_AUTH over 1200 bytes: RFC 7383
grep -q 'reassembled fragmented IKE message' "$(charon_log rw)" ||
	fail "cygnetd's IKE_AUTH response was not fragmented"
log "ECDSA RW <-> RSA gateway ESTABLISHED (fragmented IKE_AUTH)"
charon_swanctl rw --terminate --ike home --timeout 10 >&2 || fail "terminate failed"
wait_for "grep -q 'deleted by peer' '$gwd/cygnetd.log'" 5 "cygnetd kept the SA"

# a certificate from a CA cygnetd does not trust (the RSA root's gw cert
# used as a client cert) is refused with AUTHENTICATION_FAILED
cp "$PKI/gw.crt" "$rwd/x509/"
cp "$PKI/gw.key" "$rwd/private/"
rw_conf gw.crt gw.example >"$rwd/swanctl.conf"
charon_load rw "$rwd/swanctl.conf"
charon_swanctl rw --initiate --child home --timeout 10 >&2 &&
	fail "a certificate from an untrusted CA was accepted"
grep -q 'reassembled 2 fragments' "$gwd/cygnetd.log" ||
	fail "cygnetd did not reassemble the RW's fragmented IKE_AUTH"
grep -q 'not trusted' "$gwd/cygnetd.log" || fail "cygnetd did not log the untrusted chain"
grep -q 'received AUTHENTICATION_FAILED' "$(charon_log rw)" ||
	fail "RW did not get AUTHENTICATION_FAILED"
charon_stop rw
log "ok"
