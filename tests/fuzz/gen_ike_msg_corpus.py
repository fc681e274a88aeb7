#!/usr/bin/env python3
"""Seed corpus for fuzz_ike_msg: valid IKEv2 messages and inner chains built
from the RFC 7296 / RFC 7383 layouts. Run from the repo root:
    python3 tests/fuzz/gen_ike_msg_corpus.py
It rewrites tests/fuzz/corpus/ike_msg/seed-*."""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "ike_msg")

SA, KE, IDI, IDR, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSI, TSR, SK, CP, EAP = range(33, 49)
SKF = 53


def chain(payloads):
    """payloads: list of (type, body, critical) -> (first type, bytes)."""
    out = b""
    for i, (t, body, crit) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += struct.pack("!BBH", nxt, 0x80 if crit else 0, 4 + len(body)) + body
    return (payloads[0][0] if payloads else 0), out


def header(spi_i, spi_r, first, exch, flags, mid, body_len):
    return struct.pack("!QQBBBBII", spi_i, spi_r, first, 0x20, exch, flags, mid, 28 + body_len)


def msg(spi_i, spi_r, exch, flags, mid, payloads):
    first, body = chain(payloads)
    return header(spi_i, spi_r, first, exch, flags, mid, len(body)) + body


def transform(last, ttype, tid, keylen=None):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def proposal(last, num, proto, spi, transforms):
    body = b"".join(transform(i + 1 == len(transforms), *t) for i, t in enumerate(transforms))
    return struct.pack("!BBHBBBB", 0 if last else 2, 0, 8 + len(spi) + len(body), num, proto,
                       len(spi), len(transforms)) + spi + body


def sa(props):
    return b"".join(proposal(i + 1 == len(props), *p) for i, p in enumerate(props))


def notify(ntype, data=b"", proto=0, spi=b""):
    return struct.pack("!BBH", proto, len(spi), ntype) + spi + data


def ts(*sels):
    out = struct.pack("!B3x", len(sels))
    for t, proto, sp, ep, a, b in sels:
        out += struct.pack("!BBHHH", t, proto, 8 + 2 * len(a), sp, ep) + a + b
    return out


IKE_PROPS = [(1, 1, b"", [(1, 12, 256), (3, 12), (2, 5), (4, 31)]),
             (2, 1, b"", [(1, 20, 256), (2, 5), (4, 19)])]
ESP_PROPS = [(1, 3, b"\xc1\x00\x00\x01", [(1, 20, 256), (5, 0)])]
V4 = (7, 0, 0, 65535, bytes([10, 0, 0, 0]), bytes([10, 0, 255, 255]))
V6 = (8, 6, 443, 443, bytes(16), b"\xff" * 16)

seeds = {}
seeds["sa_init_req"] = msg(0x5F36A88B1C0E7D92, 0, 34, 0x08, 0, [
    (SA, sa(IKE_PROPS), False),
    (KE, struct.pack("!HH", 31, 0) + bytes(range(32)), False),
    (NONCE, bytes(range(100, 132)), False),
    (N, notify(16388, bytes(20)), False),
    (N, notify(16389, bytes(20)), False),
    (N, notify(16430), False),
    (N, notify(16431, b"\x00\x02\x00\x03\x00\x04"), False),
    (V, bytes.fromhex("882fe56d6fd20dbc2251613b2ebe5beb"), False)])
seeds["sa_init_resp"] = msg(0x5F36A88B1C0E7D92, 0x1122334455667788, 34, 0x20, 0, [
    (SA, sa([IKE_PROPS[1]]), False),
    (KE, struct.pack("!HH", 19, 0) + bytes(64), False),
    (NONCE, bytes(32), False),
    (CERTREQ, b"\x04" + bytes(20), False),
    (N, notify(16430), False)])
seeds["sa_init_cookie"] = msg(1, 0, 34, 0x20, 0, [(N, notify(16390, bytes(16)), False)])
inner_first, inner = chain([
    (IDI, b"\x02\x00\x00\x00carol@example.org", False),
    (N, notify(16384), False),
    (AUTH, b"\x02\x00\x00\x00" + bytes(32), False),
    (CP, struct.pack("!B3x", 1) + struct.pack("!HH", 1, 0) + struct.pack("!HH", 3, 0), False),
    (SA, sa(ESP_PROPS), False),
    (TSI, ts(V4, V6), False),
    (TSR, ts(V4), False),
    (EAP, bytes([2, 7, 0, 8, 1]) + b"usr", False)])
seeds["inner_auth_chain"] = inner
# The fuzzer "decrypts" with the identity: an SK body that is the plain
# chain (no IV/ICV) lets it reach the inner parser through the outer one.
sk_body = inner
seeds["ike_auth_sk"] = header(1, 2, SK, 35, 0x08, 1, 4 + len(sk_body)) + \
    struct.pack("!BBH", inner_first, 0, 4 + len(sk_body)) + sk_body
for k in (1, 2):
    body = bytes(range(40))
    seeds["ike_auth_skf%d" % k] = header(1, 2, SKF, 35, 0x20, 1, 8 + len(body)) + \
        struct.pack("!BBHHH", IDR if k == 1 else 0, 0, 8 + len(body), k, 2) + body
seeds["informational_delete"] = msg(1, 2, 37, 0x08, 5, [
    (D, struct.pack("!BBH", 3, 4, 2) + b"\xc1\x00\x00\x01\xc1\x00\x00\x02", False),
    (D, struct.pack("!BBH", 1, 0, 0), False)])
seeds["create_child"] = msg(1, 2, 36, 0x08, 2, [
    (N, notify(16393, proto=3, spi=b"\xc1\x00\x00\x01"), False),
    (SA, sa(ESP_PROPS), False),
    (NONCE, bytes(16), False),
    (TSI, ts(V4), False),
    (TSR, ts(V6), False),
    (99, b"unknown", False)])
seeds["unknown_critical"] = msg(1, 2, 37, 0x08, 3, [(99, b"x", True)])

os.makedirs(OUT, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(OUT, "seed-" + name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT))
