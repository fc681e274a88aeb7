#!/usr/bin/env python3
"""Send ESP to a peer the way a test needs it, from inside a namespace.

  esp_inject.py replay-raw PCAP DST MARK
      every ESP-in-UDP packet (UDP port 4500, no non-ESP marker) of a pcap
      (Ethernet, as tcpdump -w writes it) is sent again as raw ESP (IP
      protocol 50) to DST; prints how many.
  esp_inject.py unknown DST MARK SPI
      one ESP-in-UDP and one raw ESP packet with SPI (hex) that no SA has.

MARK is the SO_MARK for the sockets (the datapath's fwmark, so the packets
do not enter the sender's own tunnel)."""
import socket
import struct
import sys

SO_MARK = 36


def sock(kind, proto, mark):
    s = socket.socket(socket.AF_INET, kind, proto)
    s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
    return s


def esp_in_udp(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14 + 20 + 8 or pkt[12:14] != b'\x08\x00':
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 0x0f) * 4
        if ip[9] != 17:
            continue
        udp = ip[ihl:]
        dport = struct.unpack('>H', udp[2:4])[0]
        esp = udp[8:]
        if dport != 4500 or len(esp) < 8 or esp[:4] == b'\0\0\0\0':
            continue  # not ESP: IKE (marker) or keepalive
        yield esp


def main():
    cmd = sys.argv[1]
    if cmd == 'replay-raw':
        path, dst, mark = sys.argv[2], sys.argv[3], int(sys.argv[4], 0)
        s = sock(socket.SOCK_RAW, socket.IPPROTO_ESP, mark)
        n = 0
        for esp in esp_in_udp(path):
            s.sendto(esp, (dst, 0))
            n += 1
        print(n)
    elif cmd == 'unknown':
        dst, mark, spi = sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4], 16)
        esp = struct.pack('>II', spi, 1) + bytes(48)
        sock(socket.SOCK_DGRAM, 0, mark).sendto(esp, (dst, 4500))
        sock(socket.SOCK_RAW, socket.IPPROTO_ESP, mark).sendto(esp, (dst, 0))
    else:
        sys.exit('unknown command')


if __name__ == '__main__':
    main()
