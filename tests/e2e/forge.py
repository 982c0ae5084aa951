#!/usr/bin/env python3
"""forge.py - replayed and forged sweep replies for tests/e2e/test-forged.sh.

Run inside the lab's responder namespace; frames leave on IFACE (its veth end) through
an AF_PACKET socket and arrive at the scanner's interface as received traffic.

  forge.py replay IFACE PCAP KIND
      send every reply of KIND (icmp: ICMP/ICMPv6 echo replies; tcp: SYN-ACK or RST+ACK)
      found in PCAP, a capture of an earlier run: genuine replies, stale cookies
  forge.py forge IFACE KIND N SEED DST_MAC SRC_MAC OUR4 OUR6
      send N random replies of KIND to our addresses, from random lab addresses (alive
      or not), shaped like ours (ICMP: the xsweep payload magic; TCP: to a port of the
      default --source-port range) with random cookies

Each prints the number of frames it sent. Every frame is one the sweep's validator must
count as a bad cookie: never a host.
"""
import random
import socket
import struct
import sys

MAGIC = 0x58535750  # XS_PAYLOAD_MAGIC
SPORT_LO, SPORT_N = 32768, 60999 - 32768 + 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload


def l4_csum(src, dst, proto, seg, off):
    """Checksum of segment seg (field at off zeroed) with the pseudo-header."""
    if len(src) == 4:
        ph = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    else:
        ph = src + dst + struct.pack("!IxxxB", len(seg), proto)
    c = csum(ph + seg)
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


def icmp_reply(src, dst, rnd):
    """An echo reply carrying the xsweep payload, with a random cookie in id/seq."""
    ident, seq = rnd.getrandbits(16), rnd.getrandbits(16)
    if len(src) == 4:
        pl = struct.pack("!II", MAGIC, struct.unpack("!I", src)[0]) + rnd.randbytes(8) + \
            struct.pack("<II", rnd.randrange(4), 0)
        m = struct.pack("!BBHHH", 0, 0, 0, ident, seq) + pl
        m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
        return 0x0800, ip4(src, dst, 1, m)
    pl = struct.pack("!I", MAGIC) + struct.pack("<I", rnd.randrange(4)) + rnd.randbytes(8) + src
    m = struct.pack("!BBHHH", 129, 0, 0, ident, seq) + pl
    return 0x86DD, ip6(src, dst, 58, l4_csum(src, dst, 58, m, 2))


def tcp_reply(src, dst, rnd):
    """A SYN-ACK or RST+ACK from a probed port to one of our source ports, random ack."""
    flags = rnd.choice((0x12, 0x14))
    seg = struct.pack("!HHIIBBHHH", rnd.choice((22, 80, 443)), SPORT_LO + rnd.randrange(SPORT_N),
                      rnd.getrandbits(32), rnd.getrandbits(32), 0x50, flags, 0 if flags == 0x14 else 65535, 0, 0)
    if len(src) == 4:
        return 0x0800, ip4(src, dst, 6, l4_csum(src, dst, 6, seg, 16))
    return 0x86DD, ip6(src, dst, 6, l4_csum(src, dst, 6, seg, 16))


def frames_of(path):
    """Ethernet frames of a pcap file (microsecond or nanosecond, either byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def is_reply(fr, kind):
    et = struct.unpack("!H", fr[12:14])[0]
    if et == 0x0800 and len(fr) >= 34:
        proto, l4 = fr[23], fr[14 + (fr[14] & 0xF) * 4:]
        if kind == "icmp":
            return proto == 1 and l4[:1] == b"\0"
        return proto == 6 and len(l4) >= 14 and l4[13] in (0x12, 0x14)
    if et == 0x86DD and len(fr) >= 54:
        nh, l4 = fr[20], fr[54:]
        if kind == "icmp":
            return nh == 58 and l4[:1] == b"\x81"
        return nh == 6 and len(l4) >= 14 and l4[13] in (0x12, 0x14)
    return False


def main(argv):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((argv[2], 0))
    sent = 0
    if argv[1] == "replay":
        for fr in frames_of(argv[3]):
            if is_reply(fr, argv[4]):
                s.send(fr)
                sent += 1
    else:
        kind, n, rnd = argv[3], int(argv[4]), random.Random(int(argv[5]))
        dmac, smac = bytes.fromhex(argv[6].replace(":", "")), bytes.fromhex(argv[7].replace(":", ""))
        our4, our6 = socket.inet_pton(socket.AF_INET, argv[8]), socket.inet_pton(socket.AF_INET6, argv[9])
        for _ in range(n):
            if rnd.random() < 0.5:
                src, dst = bytes([198, 18, rnd.randrange(16), rnd.randrange(256)]), our4
            else:
                src, dst = bytes.fromhex("20010002" + "00" * 10) + struct.pack("!H", rnd.randrange(1024)), our6
            et, pkt = (icmp_reply if kind == "icmp" else tcp_reply)(src, dst, rnd)
            s.send(dmac + smac + struct.pack("!H", et) + pkt)
            sent += 1
    print(sent)


if __name__ == "__main__":
    main(sys.argv)
