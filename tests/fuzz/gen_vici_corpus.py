#!/usr/bin/env python3
"""Writes the VICI seed corpus (tests/fuzz/corpus/vici/): frames shaped like
what swanctl and FRR nhrpd send, and events/responses a server sends.
An independent encoder (not the C builder), so seeds also cross-check it.
Messages are lists of (name, value) pairs: str/bytes = key/value,
list = VICI list, tuple-of-pairs wrapped in Sec() = section."""
import os
import struct
import sys


class Sec(list):
    pass


def name(n):
    b = n.encode()
    return bytes([len(b)]) + b


def val(v):
    b = v if isinstance(v, bytes) else str(v).encode()
    return struct.pack(">H", len(b)) + b


def msg(pairs):
    out = b""
    for k, v in pairs:
        if isinstance(v, Sec):
            out += b"\x01" + name(k) + msg(v) + b"\x02"
        elif isinstance(v, list):
            out += b"\x04" + name(k) + b"".join(b"\x05" + val(i) for i in v) + b"\x06"
        else:
            out += b"\x03" + name(k) + val(v)
    return out


def frame(op, nm=None, body=b""):
    p = bytes([op]) + (name(nm) if nm is not None else b"") + body
    return struct.pack(">I", len(p)) + p


REQ, RESP, UNK, REG, UNREG, CONFIRM, EVUNK, EVENT = range(8)

ike_fields = [("uniqueid", "42"), ("version", "2"), ("state", "ESTABLISHED"),
              ("local-host", "192.0.2.1"), ("local-port", "4500"), ("local-id", "gw.example.org"),
              ("remote-host", "198.51.100.7"), ("remote-port", "4500"), ("remote-id", "rw1"),
              ("initiator", "yes"), ("initiator-spi", "0123456789abcdef"),
              ("responder-spi", "fedcba9876543210"), ("encr-alg", "AES_GCM_16"),
              ("encr-keysize", "256"), ("prf-alg", "PRF_HMAC_SHA2_256"), ("dh-group", "CURVE_25519"),
              ("established", "12"), ("rekey-time", "13000"), ("local-vips", []),
              ("remote-vips", ["10.3.0.1"])]
child = Sec([("name", "net"), ("uniqueid", "7"), ("reqid", "1"), ("state", "INSTALLED"),
             ("mode", "TUNNEL"), ("protocol", "ESP"), ("encap", "yes"), ("spi-in", "c1a2b3c4"),
             ("spi-out", "d4c3b2a1"), ("bytes-in", "0"), ("local-ts", ["0.0.0.0/0"]),
             ("remote-ts", ["10.3.0.1/32"])])

seeds = {
    "version-request": frame(REQ, "version"),
    "swanctl-list-sas": frame(REG, "list-sa") +
        frame(REQ, "list-sas", msg([("noblock", "yes"), ("ike", "gw")])) +
        frame(UNREG, "list-sa"),
    "nhrpd-connect": b"".join(frame(REG, e) for e in
        ("child-state-installed", "child-state-rekeyed", "child-state-destroying", "list-sa")) +
        frame(REQ, "list-sas"),
    "nhrpd-initiate": frame(REQ, "initiate", msg([("child", "dmvpn"), ("timeout", "-1"),
        ("async", "1"), ("init-limits", "1"), ("my-host", "192.0.2.1"),
        ("other-host", "198.51.100.2")])),
    "nhrpd-terminate": frame(REQ, "terminate", msg([("ike-id", "42")])) +
        frame(REQ, "terminate", msg([("ike", "dmvpn")])),
    "swanctl-initiate": frame(REG, "control-log") +
        frame(REQ, "initiate", msg([("child", "net"), ("ike", "gw"), ("timeout", "5000"),
                                    ("loglevel", "1")])),
    "swanctl-load-conn": frame(REQ, "load-conn", msg([("gw", Sec([
        ("local_addrs", ["192.0.2.1"]), ("remote_addrs", ["%any"]), ("version", "2"),
        ("proposals", ["aes256gcm16-prfsha256-x25519"]), ("pools", ["rw"]),
        ("local-1", Sec([("auth", "pubkey"), ("id", "gw.example.org"), ("certs", ["gw.pem"])])),
        ("remote-1", Sec([("auth", "psk"), ("id", "%any")])),
        ("children", Sec([("net", Sec([("local_ts", ["0.0.0.0/0"]), ("mode", "tunnel"),
                                       ("esp_proposals", ["aes256gcm16"]),
                                       ("start_action", "none")]))]))]))])),
    "swanctl-load-shared": frame(REQ, "load-shared", msg([("id", "ike-rw"), ("type", "IKE"),
        ("data", "secret"), ("owners", ["rw1", "rw2"])])),
    "swanctl-load-cert": frame(REQ, "load-cert", msg([("type", "X509"), ("flag", "CA"),
        ("data", b"\x30\x82\x01\x0a\x02\x82\x01\x01\x00\xc3\x00")])),
    "swanctl-load-pool": frame(REQ, "load-pool", msg([("rw", Sec([("addrs", "10.3.0.0/24"),
        ("dns", ["192.0.2.53", "192.0.2.54"])]))])),
    "event-list-sa": frame(EVENT, "list-sa", msg([("gw", Sec(ike_fields +
        [("child-sas", Sec([("net-7", child)]))]))])),
    "event-child-updown": frame(EVENT, "child-updown", msg([("up", "yes"), ("gw", Sec(
        ike_fields + [("child-sas", Sec([("net-7", child)]))]))])),
    "response-ok": frame(RESP, None, msg([("success", "yes"), ("matches", "1")])) +
        frame(CONFIRM) + frame(UNK) + frame(EVUNK),
    "body-load-conn-raw": msg([("gw", Sec([("local_addrs", ["192.0.2.1"]), ("empty", []),
        ("local", Sec([("auth", "pubkey")]))]))]),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "vici")
os.makedirs(out, exist_ok=True)
for n, b in seeds.items():
    with open(os.path.join(out, n), "wb") as f:
        f.write(b)
print(f"wrote {len(seeds)} seeds to {out}")
