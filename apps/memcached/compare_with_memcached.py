#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential check of the ASCII protocol against a reference memcached.

Generates random command scripts (valid and invalid commands, noreply, bad data chunks,
numbers at the edges of memcached's parsing), plays each one to a reference memcached
(Debian's /usr/bin/memcached, started here on 127.0.0.1 with -U 0) and to our sessions
(//apps/memcached:replay), and compares the replies.

    bazel build //apps/memcached:replay
    python3 apps/memcached/compare_with_memcached.py \
        bazel-bin/apps/memcached/replay --scripts 300 --seed 1 [--binary]

Normalized before comparing, because they differ by design: CAS values (ours are
unique but numbered differently), the version string, and values that memcached
space-pads after a decr (protocol.txt allows either). Not generated: positive expiration
times and flush delays (they would race the wall clock), stats, and get keys over 250
bytes (memcached then drops every reply of the connection not yet written, including
earlier pipelined commands' -- conn_release_items -- which depends on its write timing;
we drop only that get's own reply).
"""
import argparse
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

KEYS = ["k0", "k1", "k2", "n0", "n1"]


def rand_key(rng, allow_too_long=True):
    r = rng.random()
    if r < 0.02:
        return "x" * 250
    if r < 0.04 and allow_too_long:
        return "y" * 251
    return rng.choice(KEYS)


def rand_number(rng, signed=True):
    return rng.choice(["0", "1", "5", "42", "18446744073709551615", "18446744073709551616",
                       "4294967296", "-1", "-0", "abc", "12abc", "+3"] if signed else
                      ["0", "1", "7", "4294967295", "4294967296", "abc", "-1"])


def rand_value(rng):
    r = rng.random()
    if r < 0.4:
        return str(rng.choice([0, 1, 9, 10, 99, 100, 18446744073709551615, 12345678901]))
    if r < 0.5:
        return ""
    if r < 0.6:
        return rng.choice(["12 a", " 7", "-5", "9 "])
    return "".join(rng.choice("abcdefXYZ019 ") for _ in range(rng.randint(1, 12)))


def rand_command(rng):
    noreply = " noreply" if rng.random() < 0.15 else ""
    kind = rng.random()
    if kind < 0.35:
        cmd = rng.choice(["set", "set", "add", "replace", "append", "prepend", "cas"])
        value = rand_value(rng)
        length = len(value)
        r = rng.random()
        if r < 0.05:
            length += 1
        elif r < 0.1 and length > 0:
            length -= 1
        flags = rng.choice(["0", "0", "3", "4294967295", "4294967296", "-1", "x"])
        exptime = rng.choice(["0", "0", "0", "-1", "100000", "x"])
        cas = (" " + rng.choice(["1", "123", "abc", "0"])) if cmd == "cas" else ""
        line = f"{cmd} {rand_key(rng)} {flags} {exptime} {length}{cas}{noreply}"
        if rng.random() < 0.03:
            line = f"{cmd} {rand_key(rng)} 0 0"  # too few tokens
        return line + "\r\n" + value + "\r\n"
    if kind < 0.55:
        cmd = rng.choice(["get", "gets", "bget", "get"])
        keys = " ".join(rand_key(rng, False) for _ in range(rng.randint(0, 3)))
        return f"{cmd} {keys}\r\n"
    if kind < 0.6:
        cmd = rng.choice(["gat", "gats"])
        keys = " ".join(rand_key(rng, False) for _ in range(rng.randint(0, 2)))
        return f"{cmd} {rng.choice(['0', '-1', '100000', 'x'])} {keys}\r\n"
    if kind < 0.7:
        extra = rng.choice(["", "", " 0", " 1", " 0 noreply", " noreply", " x noreply"])
        return f"delete {rand_key(rng)}{extra}\r\n"
    if kind < 0.82:
        cmd = rng.choice(["incr", "decr"])
        return f"{cmd} {rand_key(rng)} {rand_number(rng)}{noreply}\r\n"
    if kind < 0.86:
        return f"touch {rand_key(rng)} {rng.choice(['0', '-1', '100000', 'x'])}{noreply}\r\n"
    if kind < 0.88:
        return f"flush_all{rng.choice(['', ' 0', ' -1', ' x'])}{noreply}\r\n"
    if kind < 0.9:
        return f"verbosity {rng.choice(['1', 'x', ''])}{noreply}\r\n"
    if kind < 0.97:
        return rng.choice(["bogus\r\n", "\r\n", " \r\n", "x\r\n", "GET k0\r\n", "get\r\n",
                           "set\r\n", "incr k0\r\n", "delete\r\n", "version\r\n"])
    return "get k0\n"  # a bare \n line ending


def make_script(rng):
    script = "".join(rand_command(rng) for _ in range(rng.randint(1, 25)))
    if rng.random() < 0.1:
        script += "quit\r\nget k0\r\n"
    # Complete a data block left short by a wrong length: memcached holds its replies
    # while it waits for one, we do not.
    return script + "version\r\n"


def bin_request(op, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    body = len(key) + len(extras) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, body, opaque,
                       cas) + extras + key + value


def rand_bin_command(rng, opaque):
    key = rng.choice([b"k0", b"k1", b"n0", b"x" * 250])
    cas = rng.choice([0, 0, 0, 1, 12345])
    value = rand_value(rng).encode()
    kind = rng.random()
    if kind < 0.3:  # set/add/replace and quiet forms
        op = rng.choice([0x01, 0x02, 0x03, 0x11, 0x12, 0x13])
        extras = struct.pack(">II", rng.choice([0, 7, 0xffffffff]), rng.choice([0, 100000]))
        return bin_request(op, key, extras, value, opaque, cas)
    if kind < 0.4:  # append/prepend
        return bin_request(rng.choice([0x0e, 0x0f, 0x19, 0x1a]), key, b"", value, opaque, cas)
    if kind < 0.6:  # get family
        return bin_request(rng.choice([0x00, 0x09, 0x0c, 0x0d]), key, b"", b"", opaque)
    if kind < 0.67:  # touch family
        extras = struct.pack(">I", rng.choice([0, 100000]))
        return bin_request(rng.choice([0x1c, 0x1d, 0x1e, 0x23, 0x24]), key, extras, b"", opaque)
    if kind < 0.75:  # delete
        return bin_request(rng.choice([0x04, 0x14]), key, b"", b"", opaque, cas)
    if kind < 0.87:  # incr/decr
        extras = struct.pack(">QQI", rng.choice([0, 1, 5, 2**64 - 1]), rng.choice([0, 10]),
                             rng.choice([0, 100000, 0xffffffff]))
        return bin_request(rng.choice([0x05, 0x06, 0x15, 0x16]), key, extras, b"", opaque, cas)
    if kind < 0.9:
        return bin_request(rng.choice([0x08, 0x18]), b"", b"", b"", opaque)
    if kind < 0.95:
        return bin_request(rng.choice([0x0a, 0x0b]), b"", b"", b"", opaque)
    if kind < 0.97:  # an unknown opcode without a body
        return bin_request(0x40, b"", b"", b"", opaque)
    # Malformed: wrong extras for the opcode (EINVAL, then closed)
    return bin_request(0x00, key, b"1234", b"", opaque)


def make_bin_script(rng):
    script = b"".join(rand_bin_command(rng, n) for n in range(rng.randint(1, 25)))
    if rng.random() < 0.1:
        script += bin_request(rng.choice([0x07, 0x17]))
    return script + bin_request(0x0a, opaque=0xfeed)


def normalize_bin(reply):
    out = []
    while len(reply) >= 24:
        magic, op, kl, el, _, st, bl, opq, cas = struct.unpack(">BBHBBHIIQ", reply[:24])
        body = reply[24:24 + bl]
        if op == 0x0b and st == 0:
            body = b"VERSION"
        value = body[el + kl:]
        if st == 0 and op in (0x00, 0x09, 0x0c, 0x0d, 0x1d, 0x1e, 0x23, 0x24):
            value = value.rstrip(b" ")  # memcached's decr padding
        out.append((magic, op, st, opq, cas != 0, body[:el], body[el:el + kl], value))
        reply = reply[24 + bl:]
    if reply:
        out.append(("trailing", reply))
    return out


def talk(port, data, wait=0.3):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(wait)
    out = b""
    closed = False
    try:
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            out += d
    except socket.timeout:
        pass
    s.close()
    return out, closed


def normalize(reply):
    text = reply.decode("latin1")
    text = re.sub(r"VERSION [^\r]*", "VERSION", text)
    out = []
    i = 0
    while i < len(text):
        m = re.compile(r"VALUE (\S+) (\d+) (\d+)( \d+)?\r\n").match(text, i)
        if not m:
            j = text.find("\n", i)
            j = len(text) if j < 0 else j + 1
            out.append(text[i:j])
            i = j
            continue
        n = int(m.group(3))
        data = text[m.end():m.end() + n]
        stripped = data.rstrip(" ")
        cas = " C" if m.group(4) else ""
        out.append(f"VALUE {m.group(1)} {m.group(2)} {len(stripped)}{cas}\r\n{stripped}")
        i = m.end() + n
    return "".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("replay", help="path of the built //apps/memcached:replay")
    parser.add_argument("--scripts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0,
                        help="for the reference memcached; 0 picks a free one (tests run in parallel)")
    parser.add_argument("--binary", action="store_true", help="binary protocol scripts")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    if args.binary:
        scripts = [make_bin_script(rng) for _ in range(args.scripts)]
        norm = normalize_bin
    else:
        scripts = [make_script(rng).encode("latin1") for _ in range(args.scripts)]
        norm = normalize
    if args.port == 0:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        args.port = probe.getsockname()[1]
        probe.close()
    server = subprocess.Popen(["memcached", "-U", "0", "-p", str(args.port), "-l", "127.0.0.1",
                               "-m", "64", "-u", "nobody"])
    try:
        # Until it accepts connections (and fail loudly if it never does, e.g. port taken).
        for _ in range(100):
            if server.poll() is not None:
                print(f"reference memcached exited with {server.returncode} (port {args.port})")
                return 1
            try:
                socket.create_connection(("127.0.0.1", args.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            print("reference memcached did not start listening")
            return 1
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for n, script in enumerate(scripts):
                path = os.path.join(tmp, f"script{n:04d}")
                with open(path, "wb") as f:
                    f.write(script)
                paths.append(path)
            output = subprocess.run([args.replay] + paths, check=True,
                                    stdout=subprocess.PIPE).stdout
            ours = {}
            at = 0
            for path in paths:
                marker = f"=== {path} closed=".encode()
                end = output.index(marker, at)
                closed_flag = output[end + len(marker):end + len(marker) + 1] == b"1"
                ours[path] = (output[at:end], closed_flag)
                at = output.index(b"\n", end) + 1
            failures = 0
            for path, script in zip(paths, scripts):
                talk(args.port, b"flush_all\r\n")
                theirs, closed = talk(args.port, script)
                mine, my_closed = ours[path]
                if norm(theirs) != norm(mine) or closed != my_closed:
                    failures += 1
                    print(f"--- mismatch for {path}\nscript: {script!r}\nmemcached: {theirs!r}"
                          f" closed={closed}\nours:      {mine!r} closed={my_closed}")
            print(f"{len(scripts) - failures}/{len(scripts)} scripts identical")
            return 1 if failures else 0
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
