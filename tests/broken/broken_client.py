#!/usr/bin/python3
"""A deliberately broken SMTP client, for testing how ehlo's server role copes.

    broken_client.py --port N --fault FAULT [--cap-bytes N] [--seconds S]

It connects to 127.0.0.1:N (nowhere else), reads the greeting, then breaks
RFC 5321 in one way:
  stall      sends nothing; waits for the server to close the connection
  long-line  "EHLO " and --cap-bytes (default 100 MB) of `x` with no CRLF, in
             64 KiB writes, until they are all sent or the server closes
  junk       --cap-bytes (default 64 KiB) of random bytes, then waits for the close
  stall-after-starttls
             "ehlo client.example", then STARTTLS; once the server's 220 came
             ("starttls: ..." printed), never starts the TLS handshake: reads
             and drops until the server closes
  endless-body
             smtplib's envelope ("ehlo client.example", "mail FROM:<b@example.com>
             size=332", "rcpt TO:<a@example.com>", "data"), each after the
             reply to the one before; after the 354 ("data: ..." printed) a
             message body that never ends: text lines of 80 octets, in 64 KiB
             writes, until --cap-bytes (default 500 MB) are sent or the server
             closes
Whatever happens it ends within --seconds (default 30). It prints "greeting: ..."
as soon as the greeting came (flushed: the test waits for that line), then what it saw
("closed by the server after N bytes sent" or "still open after S s") and exits 0;
2 when it cannot connect. It is a test peer, not a mail client.
"""

import argparse
import os
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--fault", choices=["stall", "long-line", "junk", "stall-after-starttls", "endless-body"], required=True)
p.add_argument("--cap-bytes", type=int)
p.add_argument("--seconds", type=float, default=30)
a = p.parse_args()
deadline = time.monotonic() + a.seconds

try:
    s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
except OSError as e:
    print(f"broken_client: cannot connect: {e}", file=sys.stderr)
    sys.exit(2)


def left():
    return max(0.01, deadline - time.monotonic())


def wait_for_close():
    """Reads (and drops) until the server closes or the time is up."""
    while time.monotonic() < deadline:
        s.settimeout(left())
        try:
            if not s.recv(65536):
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def reply():
    """One whole reply (its last line: a code and a space), or None when the server closed."""
    buf = b""
    while True:
        lines = buf.split(b"\r\n")
        for line in lines[:-1]:
            if len(line) >= 4 and line[3:4] == b" ":
                return buf
        s.settimeout(left())
        data = s.recv(4096)
        if not data:
            return None
        buf += data


def command(line):
    """Sends a command line and returns its reply (None: the server closed)."""
    s.settimeout(left())
    s.sendall(line + b"\r\n")
    return reply()


s.settimeout(left())
greeting = s.recv(4096)
print(f"greeting: {greeting[:60]!r}", flush=True)
sent = 0
closed = False
try:
    if a.fault == "stall-after-starttls":
        for line in (b"ehlo client.example", b"STARTTLS"):
            answer = command(line)
            if answer is None:
                raise ConnectionResetError
        print(f"starttls: {answer[:60]!r}", flush=True)
    elif a.fault == "endless-body":
        for line in (b"ehlo client.example", b"mail FROM:<b@example.com> size=332",
                     b"rcpt TO:<a@example.com>", b"data"):
            answer = command(line)
            if answer is None:
                raise ConnectionResetError
        print(f"data: {answer[:60]!r}", flush=True)
        cap = a.cap_bytes or 500 * 1024 * 1024
        line = b"endless body " + b"x" * 65 + b"\r\n"
        chunk = line * (65536 // len(line))
        while sent < cap and time.monotonic() < deadline:
            s.settimeout(left())
            sent += s.send(chunk[: min(len(chunk), cap - sent)])
    if a.fault == "long-line":
        cap = a.cap_bytes or 100 * 1024 * 1024
        s.sendall(b"EHLO ")
        chunk = b"x" * 65536
        while sent < cap and time.monotonic() < deadline:
            s.settimeout(left())
            sent += s.send(chunk[: min(len(chunk), cap - sent)])
    elif a.fault == "junk":
        cap = a.cap_bytes or 64 * 1024
        s.settimeout(left())
        s.sendall(os.urandom(cap))
        sent = cap
except (BrokenPipeError, ConnectionResetError):
    closed = True
except socket.timeout:
    pass
if not closed:
    closed = wait_for_close()
print(f"closed by the server after {sent} bytes sent" if closed else f"still open after {a.seconds} s",
      flush=True)
