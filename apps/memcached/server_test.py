#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The hosted server process (memcached_hosted) over real TCP, with stock memcached 1.6 as
the reference for what a client sees.

    server_test.py <memcached_hosted> refused-updates|shutdown|eviction

refused-updates: updates refused because the value is over the item size limit (the
    default 1 MiB; values of 2,000,000 bytes), ASCII and binary, every storage command:
    the replies and what a later get returns must be those of stock memcached (a refused
    set removes the old item; add/replace/cas/append/prepend keep it).
shutdown: SIGTERM and SIGINT stop the server within about a second with exit status 0,
    closing its connections (an idle one, one in the middle of a request) and its
    listening socket; stock memcached is held to the same checks.
eviction: with -m 8, after 100 MiB of distinct 1,000-byte values, the last 1,000 keys
    written are all still there (stock memcached keeps them all too).

The servers listen on every address (memcached_hosted has no -l), so server_test.sh runs
this inside a network namespace of its own whose only interface is loopback. Every wait is
bounded; a server that does not answer in time fails the test.
"""
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

HOST = "127.0.0.1"
BIG = 2_000_000  # over the default 1 MiB item size limit
TIMEOUT = 10.0  # seconds for any one exchange or start


def free_port():
    probe = socket.socket()
    probe.bind((HOST, 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def wait_listening(port, proc):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"server not listening on {port} after {TIMEOUT} s")


class Server:
    """A memcached process: "ebbrt" (memcached_hosted) or "stock"."""

    def __init__(self, kind, ebbrt_binary, flags):
        self.kind = kind
        if kind == "ebbrt":
            self.proc = subprocess.Popen([ebbrt_binary, "-p", "0", "-v"] + flags,
                                         stdout=subprocess.PIPE)
            ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
            line = self.proc.stdout.readline().decode() if ready else ""
            match = re.search(r"listening on port (\d+)", line)
            if not match:
                self.proc.kill()
                raise RuntimeError(f"memcached_hosted did not say its port: {line!r}")
            self.port = int(match.group(1))
        else:
            self.port = free_port()
            user = ["-u", "nobody"] if os.geteuid() == 0 else []
            self.proc = subprocess.Popen(["memcached", "-l", HOST, "-p", str(self.port), "-U", "0"]
                                         + user + flags)
        wait_listening(self.port, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def recv_until(sock, done):
    """Reads until done(bytes so far) is true; fails after TIMEOUT."""
    data = b""
    deadline = time.monotonic() + TIMEOUT
    while not done(data):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"no complete reply after {TIMEOUT} s; got {len(data)} bytes: "
                               f"{data[:200]!r}")
        sock.settimeout(left)
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError(f"connection closed; got {data[:200]!r}")
        data += chunk
    return data


# --- refused updates ---------------------------------------------------------------------

def ascii_exchange(port, script):
    """Sends `script` and then "version", returns every reply before VERSION."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(script + b"version\r\n")
        data = recv_until(s, lambda d: re.search(rb"(^|\r\n)VERSION [^\r\n]*\r\n$", d))
    return re.sub(rb"VERSION [^\r\n]*\r\n$", b"", data)


def bin_request(op, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    body = len(key) + len(extras) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, body, opaque,
                       cas) + extras + key + value


def parse_bin(data):
    """Responses as (opcode, status, opaque, has_cas, extras, key, value), or None while
    incomplete."""
    out = []
    while data:
        if len(data) < 24:
            return None
        _, op, kl, el, _, st, bl, opq, cas = struct.unpack(">BBHBBHIIQ", data[:24])
        if len(data) < 24 + bl:
            return None
        body = data[24:24 + bl]
        out.append((op, st, opq, cas != 0, body[:el], body[el:el + kl], body[el + kl:]))
        data = data[24 + bl:]
    return out


NOOP, MARK = 0x0a, 0xfeed


def bin_exchange(port, script):
    """Sends `script` and then a NOOP, returns the responses before the NOOP's."""
    def done(d):
        parsed = parse_bin(d)
        return parsed and parsed[-1][0] == NOOP and parsed[-1][2] == MARK
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(script + bin_request(NOOP, opaque=MARK))
        return parse_bin(recv_until(s, done))[:-1]


def ascii_scripts():
    big = b"y" * BIG
    old = b"set k 0 0 3\r\nold\r\n"
    cases = {
        "set": old + b"set k 0 0 %d\r\n%s\r\nget k\r\n" % (BIG, big),
        "set noreply": old + b"set k 0 0 %d noreply\r\n%s\r\nget k\r\n" % (BIG, big),
        "set flags": old + b"set k 5 0 %d\r\n%s\r\nget k\r\n" % (BIG, big),
    }
    for command in [b"add k 0 0", b"replace k 0 0", b"append k 0 0", b"prepend k 0 0"]:
        cases[command.decode()] = old + b"%s %d\r\n%s\r\nget k\r\n" % (command, BIG, big)
    # The size check comes before the CAS compare, so any CAS will do.
    cases["cas"] = old + b"cas k 0 0 %d 1\r\n%s\r\nget k\r\n" % (BIG, big)
    # The item size formula at 1 MiB: key + value + 59 bytes fit (+4 with flags).
    fits = 1048576 - 59 - 1
    cases["boundary"] = (b"set k 0 0 %d\r\n%s\r\nget k\r\n" % (fits, b"f" * fits) +
                         b"set k 1 0 %d\r\n%s\r\nget k\r\n" % (fits, b"g" * fits))
    # Growth past the limit by append/prepend: NOT_STORED and the item stays.
    most = 1_000_000
    for command in [b"append", b"prepend"]:
        cases[command.decode() + " growth"] = (
            b"set k 0 0 %d\r\n%s\r\n" % (most, b"m" * most) +
            b"%s k 0 0 100000\r\n%s\r\nget k\r\n" % (command, b"a" * 100000))
    return cases


def bin_scripts():
    big = b"y" * BIG
    extras = struct.pack(">II", 0, 0)
    get = bin_request(0x00, b"k")
    old = bin_request(0x01, b"k", extras, b"old")
    cases = {}
    for name, op in [("SET", 0x01), ("SETQ", 0x11), ("ADD", 0x02), ("ADDQ", 0x12),
                     ("REPLACE", 0x03), ("REPLACEQ", 0x13)]:
        cases[name] = old + bin_request(op, b"k", extras, big) + get
    cases["SET with CAS"] = old + bin_request(0x01, b"k", extras, big, cas=1) + get
    for name, op in [("APPEND", 0x0e), ("APPENDQ", 0x19), ("PREPEND", 0x0f),
                     ("PREPENDQ", 0x1a)]:
        cases[name] = old + bin_request(op, b"k", b"", big) + get
        cases[name + " growth"] = (bin_request(0x01, b"k", extras, b"m" * 1_000_000) +
                                   bin_request(op, b"k", b"", b"a" * 100000) + get)
    return cases


def summarize(reply):
    """Replies with long values shortened, for messages."""
    text = repr(reply)
    return text if len(text) < 300 else text[:300] + f"... ({len(text)} chars)"


def run_refused_updates(ebbrt_binary):
    servers = {kind: Server(kind, ebbrt_binary, ["-t", "2", "-m", "64"])
               for kind in ("stock", "ebbrt")}
    failures = 0
    try:
        for protocol, scripts, exchange in [("ascii", ascii_scripts(), ascii_exchange),
                                            ("binary", bin_scripts(), bin_exchange)]:
            for name, script in scripts.items():
                replies = {}
                for kind, server in servers.items():
                    ascii_exchange(server.port, b"flush_all\r\n")
                    replies[kind] = exchange(server.port, script)
                same = replies["stock"] == replies["ebbrt"]
                print(f"{protocol} {name}: {'same as stock' if same else 'DIFFERENT'}")
                if not same:
                    failures += 1
                    print(f"  stock: {summarize(replies['stock'])}\n"
                          f"  ebbrt: {summarize(replies['ebbrt'])}")
        # The headline case, stated outright (not only "as stock does").
        ascii_exchange(servers["ebbrt"].port, b"flush_all\r\n")
        reply = ascii_exchange(servers["ebbrt"].port, ascii_scripts()["set"])
        want = b"STORED\r\nSERVER_ERROR object too large for cache\r\nEND\r\n"
        if reply != want:
            failures += 1
            print(f"refused set then get: {reply!r}, want {want!r}")
    finally:
        for server in servers.values():
            server.stop()
    return failures


# --- shutdown --------------------------------------------------------------------------------

def run_shutdown(ebbrt_binary):
    failures = 0
    for kind in ("stock", "ebbrt"):
        for signo in (signal.SIGTERM, signal.SIGINT):
            server = Server(kind, ebbrt_binary, ["-t", "2", "-m", "64"])
            try:
                idle = socket.create_connection((HOST, server.port), timeout=TIMEOUT)
                idle.sendall(b"set k 0 0 2\r\nhi\r\nget k\r\n")
                recv_until(idle, lambda d: d.endswith(b"END\r\n"))
                partial = socket.create_connection((HOST, server.port), timeout=TIMEOUT)
                partial.sendall(b"get k")  # a request cut short
                time.sleep(0.1)  # let the server read it
                start = time.monotonic()
                server.proc.send_signal(signo)
                try:
                    status = server.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    status = None
                elapsed = time.monotonic() - start
                problems = []
                if status != 0:
                    problems.append(f"exit status {status} (want 0)")
                if elapsed > 2.0:
                    problems.append(f"took {elapsed:.2f} s")
                for name, conn in (("idle", idle), ("partial", partial)):
                    try:
                        conn.settimeout(2)
                        if conn.recv(100) != b"":
                            problems.append(f"{name} connection got bytes, not EOF")
                    except ConnectionResetError:
                        pass  # closed too
                    except OSError as e:
                        problems.append(f"{name} connection not closed: {e}")
                    conn.close()
                try:
                    socket.create_connection((HOST, server.port), timeout=1).close()
                    problems.append("still accepting connections")
                except OSError:
                    pass
                verdict = "; ".join(problems) if problems else "ok"
                print(f"{kind} {signo.name}: exit {status} after {elapsed:.2f} s: {verdict}")
                failures += 1 if problems else 0
            finally:
                server.stop()
    return failures


# --- eviction --------------------------------------------------------------------------------

def missing_of_last_keys(port, total_bytes, value_size, last):
    count = total_bytes // value_size
    value = b"v" * value_size
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        batch = 500
        for start in range(0, count, batch):
            end = min(count, start + batch)
            s.sendall(b"".join(b"set key%08d 0 0 %d\r\n%s\r\n" % (i, value_size, value)
                               for i in range(start, end)))
            want = b"STORED\r\n" * (end - start)
            got = recv_until(s, lambda d: len(d) >= len(want))
            if got != want:
                # Name the first reply that is not STORED (the rest of a batch usually is).
                lines = got.split(b"\r\n")
                odd = next((n for n, line in enumerate(lines) if line != b"STORED"), None)
                raise RuntimeError(f"sets {start}..{end}: reply {odd} of {len(lines) - 1}: "
                                   f"{lines[odd] if odd is not None else b''!r} "
                                   f"({len(got)} bytes, {len(want)} expected)")
        missing = 0
        for i in range(count - last, count):
            s.sendall(b"get key%08d\r\n" % i)
            reply = recv_until(s, lambda d: d.endswith(b"END\r\n"))
            if reply == b"END\r\n":
                missing += 1
        return count, missing


def run_eviction(ebbrt_binary):
    failures = 0
    for kind in ("stock", "ebbrt"):
        server = Server(kind, ebbrt_binary, ["-t", "2", "-m", "8"])
        try:
            count, missing = missing_of_last_keys(server.port, 100 << 20, 1000, 1000)
        finally:
            server.stop()
        print(f"{kind}: {count} keys of 1,000 bytes written with -m 8; "
              f"{missing} of the last 1,000 evicted")
        if kind == "ebbrt" and missing != 0:
            failures += 1
    return failures


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("refused-updates", "shutdown", "eviction"):
        sys.exit(__doc__)
    ebbrt_binary, case = sys.argv[1], sys.argv[2]
    run = {"refused-updates": run_refused_updates, "shutdown": run_shutdown,
           "eviction": run_eviction}[case]
    failures = run(ebbrt_binary)
    print(f"{case}: {'FAIL' if failures else 'PASS'} ({failures} failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
