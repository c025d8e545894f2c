#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Peer of echo_native_test (run by the runner on the host while the image runs): 1,000
UDP datagrams of 1-1,400 bytes to the forward on 127.0.0.1 (EBBRT_FORWARDS "HOST:7 HOST:9"),
each reply checked byte for byte; a lost one is retried at most 3 times. Bounded: 60 s.
Then "stop" to the second forward (the image's echo.stop_port) ends the run."""
import os
import random
import socket
import sys
import time

host_port = int(os.environ["EBBRT_FORWARDS"].split()[0].split(":")[0])
rng = random.Random(17007)
deadline = time.monotonic() + 60
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
good = 0
for i in range(1000):
    payload = bytes(rng.randrange(256) for _ in range(1 + (i * 89) % 1400))
    for attempt in range(4):
        if time.monotonic() > deadline:
            break
        s.sendto(payload, ("127.0.0.1", host_port))
        try:
            reply = s.recv(2048)
        except socket.timeout:
            continue
        if reply == payload:
            good += 1
        else:
            print(f"peer_udp_echo: datagram {i}: {len(reply)} bytes back, not the {len(payload)} sent")
        break
print(f"peer_udp_echo: {good} of 1000 echoed byte for byte")
# The second forward reaches the image's echo.stop_port: it ends the run.
forwards = os.environ["EBBRT_FORWARDS"].split()
if len(forwards) > 1:
    stop_port = int(forwards[1].split(":")[0])
    for _ in range(3):
        s.sendto(b"stop", ("127.0.0.1", stop_port))
        time.sleep(0.1)
sys.exit(0 if good == 1000 else 1)
