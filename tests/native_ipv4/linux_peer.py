#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Linux's side of native_ipv4_test, run by the runner inside its namespace: UDP echoes of
1,000 datagrams of 1-1,400 bytes from many source ports, each reply checked byte for byte;
100 pings (ICMP echo through a raw socket) with payloads up to 1,472 bytes, each reply
checked; then "done" to port 9. Bounded: every wait has a timeout, a lost datagram is
retried at most 3 times. Exits 0 only if everything checked out."""
import os
import random
import socket
import struct
import sys
import time

GUEST = os.environ["EBBRT_GUEST_ADDR"]
deadline = time.monotonic() + 90


def udp_echoes(count):
    rng = random.Random(7)
    bad = 0
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(16)]  # 16 source ports
    for s in socks:
        s.settimeout(1.0)
    for i in range(count):
        size = 1 + (i * 97) % 1400
        payload = bytes(rng.randrange(256) for _ in range(size))
        s = socks[i % len(socks)]
        for attempt in range(4):
            if time.monotonic() > deadline:
                print("linux_peer: out of time")
                return count
            s.sendto(payload, (GUEST, 7))
            try:
                reply, addr = s.recvfrom(2048)
            except socket.timeout:
                continue
            if reply != payload or addr != (GUEST, 7):
                print(f"linux_peer: datagram {i}: wrong reply ({len(reply)} bytes from {addr})")
                bad += 1
            break
        else:
            print(f"linux_peer: datagram {i}: no reply after 4 tries")
            bad += 1
    return bad


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def pings(count):
    bad = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(1.0)
    ident = os.getpid() & 0xffff
    for seq in range(count):
        size = (seq * 149) % 1473
        payload = bytes((seq + i) & 0xff for i in range(size))
        header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq) + payload
        s.sendto(packet, (GUEST, 0))
        ok = False
        end = time.monotonic() + 2
        while time.monotonic() < end and not ok:
            try:
                data, addr = s.recvfrom(4096)
            except socket.timeout:
                break
            icmp = data[(data[0] & 0xf) * 4:]
            kind, _, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
            if kind == 0 and rid == ident and rseq == seq:
                ok = icmp[8:] == payload and checksum(icmp) == 0
                if not ok:
                    break
        if not ok:
            print(f"linux_peer: ping {seq} ({size} bytes): no good reply")
            bad += 1
    return bad


bad = udp_echoes(1000)
print(f"linux_peer: UDP echo: {1000 - bad} of 1000 good")
bad_pings = pings(100)
print(f"linux_peer: ping: {100 - bad_pings} of 100 good")
done = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    done.sendto(b"done", (GUEST, 9))
    time.sleep(0.05)
sys.exit(0 if bad == 0 and bad_pings == 0 else 1)
