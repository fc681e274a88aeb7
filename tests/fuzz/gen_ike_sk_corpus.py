#!/usr/bin/env python3
"""Seeds for fuzz_ike_sk: inner payload chains as an IKE_AUTH carries them,
in 'sealed' mode (byte 0 = 2 or 3: GCM or CBC, byte 1 = first payload
type), plus the ike_msg seeds in 'raw' mode (byte 0 = 0 or 1)."""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "ike_sk")


def payload(nxt, body, critical=False):
    return struct.pack("!BBH", nxt, 0x80 if critical else 0, 4 + len(body)) + body


def chain(items):
    """items: list of (type, body); returns (first type, bytes)."""
    data = b""
    for i, (_, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        data += payload(nxt, body)
    return items[0][0], data


def ts(addr_from, addr_to):
    sel = struct.pack("!BBHHH", 7, 0, 16, 0, 65535) + bytes(addr_from) + bytes(addr_to)
    return struct.pack("!B3x", 1) + sel


def esp_sa():
    spi = b"\xc0\x01\x02\x03"
    t_encr = struct.pack("!BBHBBH", 3, 0, 12, 1, 0, 20) + struct.pack("!HH", 0x800E, 256)
    t_esn = struct.pack("!BBHBBH", 0, 0, 8, 5, 0, 0)
    trans = t_encr + t_esn
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(spi) + len(trans), 1, 3, 4, 2) + spi + trans
    return prop


seeds = {
    "auth_request": [
        (35, struct.pack("!B3x", 2) + b"rw1.example"),
        (39, struct.pack("!B3x", 2) + bytes(32)),
        (47, struct.pack("!B3x", 1) + struct.pack("!HH", 1, 0) + struct.pack("!HH", 3, 0)),
        (33, esp_sa()),
        (44, ts([0, 0, 0, 0], [255, 255, 255, 255])),
        (45, ts([10, 1, 0, 0], [10, 1, 0, 255])),
        (41, struct.pack("!BBH", 0, 0, 16384)),
    ],
    "auth_response": [
        (36, struct.pack("!B3x", 2) + b"gw.example"),
        (39, struct.pack("!B3x", 2) + bytes(32)),
        (47, struct.pack("!B3x", 2) + struct.pack("!HH", 1, 4) + bytes([10, 3, 0, 1])),
        (33, esp_sa()),
        (44, ts([10, 3, 0, 1], [10, 3, 0, 1])),
        (45, ts([10, 1, 0, 0], [10, 1, 0, 255])),
    ],
    "delete": [(42, struct.pack("!BBH", 3, 4, 1) + b"\xc0\x01\x02\x03")],
    "notify_error": [(41, struct.pack("!BBH", 0, 0, 24))],
    "empty_dpd": None,
}

os.makedirs(out, exist_ok=True)
for name, items in seeds.items():
    if items is None:
        first, data = 0, b""
    else:
        first, data = chain(items)
    for mode in (2, 3):
        with open(os.path.join(out, f"{name}-{'gcm' if mode == 2 else 'cbc'}"), "wb") as f:
            f.write(bytes([mode, first]) + data)
msgs = os.path.join(here, "corpus", "ike_msg")
for fn in sorted(os.listdir(msgs)):
    with open(os.path.join(msgs, fn), "rb") as f:
        data = f.read()
    with open(os.path.join(out, "raw-" + fn), "wb") as f:
        f.write(b"\x00" + data)
print(f"wrote {len(os.listdir(out))} seeds to {out}", file=sys.stderr)
