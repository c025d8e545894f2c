#!/usr/bin/env python3
"""Writes the seed corpus of //apps/memcached:protocol_fuzzer into the directory given.

    python3 apps/memcached/fuzz_corpus/make_seeds.py apps/memcached/fuzz_corpus

The input format is protocol_fuzzer.cc's: a config byte, then chunks of
[length][control][bytes] (control bit 2 picks the session, bits 0-1 move the clock,
bits 3-7 split the chunk into two links).
"""
import struct, sys, os
def req(op, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    """A binary protocol request (magic 0x80)."""
    body = len(key) + len(extras) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, body, opaque,
                       cas) + extras + key + value
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def chunks(cfg, pieces):
    b = bytes([cfg])
    for data, ctl in pieces:
        for i in range(0, len(data), 255):
            part = data[i:i+255]
            b += bytes([len(part), ctl]) + part
    return b
sx = lambda k, v, op=1, flags=0, exp=0, cas=0: req(op, k, struct.pack(">II", flags, exp), v, cas=cas)
seeds = {
 "ascii_storage": chunks(0x05, [
   (b"set a 1 10 5\r\nhello\r\nget a b\r\ngets a\r\n", 0x00),
   (b"add a 0 0 1\r\nx\r\nreplace a 0 0 2\r\nxy\r\nappend a 0 0 1\r\n!\r\nprepend a 0 0 1\r\n<\r\n", 0x41),
   (b"cas a 0 0 1 1\r\nz\r\ndelete a\r\ndelete a 0 noreply\r\n", 0x02),
   (b"set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\ntouch n 5\r\ngat 1 n\r\ngats 0 n\r\n", 0x83),
   (b"flush_all 2\r\nflush_all\r\nversion\r\nverbosity 1\r\nstats\r\nstats settings\r\nstats reset\r\n", 0x01),
   (b"set big 0 0 3000\r\n" + b"z"*3000 + b"\r\nget big\r\nquit\r\n", 0x10),
 ]),
 "ascii_errors": chunks(0x00, [
   (b"bogus\r\nset k 0 0 abc\r\nset k 0 0 3\r\nabcde\r\nget " + b"k"*251 + b"\r\n", 0x00),
   (b"incr k abc\r\ntouch k x\r\nflush_all x\r\n\x00\x01\r\n", 0x21),
 ]),
 "binary_all": chunks(0x0a, [
   (sx(b"a", b"hello", flags=3) + req(0, b"a") + req(0x0c, b"a") + req(0x09, b"zz") + req(0x0d, b"zz") + req(0x0a), 0x00),
   (sx(b"a", b"x", op=0x02) + sx(b"b", b"x", op=0x03) + req(0x0e, b"a", value=b"+") + req(0x0f, b"a", value=b"-") + sx(b"a", b"y", cas=5), 0x11),
   (req(0x05, b"c", struct.pack(">QQI", 1, 10, 0)) + req(0x06, b"c", struct.pack(">QQI", 100, 0, 0)) + req(0x15, b"c", struct.pack(">QQI", 1, 0, 0xffffffff)), 0x42),
   (req(0x1c, b"a", struct.pack(">I", 10)) + req(0x1d, b"a", struct.pack(">I", 10)) + req(0x23, b"a", struct.pack(">I", 0)) + req(0x1e, b"q", struct.pack(">I", 1)), 0x03),
   (req(0x04, b"a") + req(0x14, b"a") + req(0x08, extras=struct.pack(">I", 5)) + req(0x18) + req(0x0b) + req(0x10) + req(0x10, b"settings") + req(0x50, b"k", value=b"zz"), 0x80),
   (sx(b"big", b"q"*2000) + req(0x11, b"a", struct.pack(">II", 0, 0), b"v") + req(0x07), 0x20),
 ]),
 "binary_malformed": chunks(0x00, [
   (req(0x0b) + req(0x00, b"abc", extras=b"1234"), 0x00),
 ]),
 "two_sessions": chunks(0x01, [
   (b"set shared 0 0 3\r\nabc\r\n", 0x00),
   (sx(b"shared", b"xyz") + req(0, b"shared"), 0x04),
   (b"get shared\r\n", 0x00),
 ]),
}
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
print(sorted(seeds))
