#!/usr/bin/python3
"""An SMTP client with bugs planted in how it reads replies, for proving `ehlo fuzz --listen`.

    planted_client.py --port N [--host H] [--bugs a,b]

Apart from the bugs it is a plain client that sends one message: EHLO
client.example, MAIL FROM:<b@example.com>, RCPT TO:<a@example.com>, DATA,
the message of tests/data/scenarios/planted/planted-client.json, QUIT. It
reads each reply whole (lines until one whose fourth octet is not "-"); a
reply it does not expect ends the conversation with QUIT and exit status 1, a
reply it cannot read (no three-digit code) or a closed connection with exit
status 2, each within its 30 s deadline. Exit 0 when the message was taken.

The bugs (all of them unless --bugs names some). A crash is SIGSEGV, the way
a client that overruns a buffer goes; a hang stops reading and never exits:

  ehlo-line     a line of the EHLO reply longer than 512 octets      crash
                (RFC 5321 section 4.5.3.1.5's limit, read into a fixed buffer)
  mail-lines    a reply to MAIL of more than one line                 crash
                (a multi-line reply is valid after any command)
  rcpt-4xx      a 4xx reply to RCPT                                   hang
                (the retry loop waits for a reply nobody sends)

tests/broken/fuzz_planted_client.sh runs it through `ehlo fuzz --listen --client-cmd`.
"""

import argparse
import os
import signal
import socket
import sys
import time

BUGS = ("ehlo-line", "mail-lines", "rcpt-4xx")
MESSAGE = b"Subject: planted\r\n\r\nHello from the planted client.\r\n.\r\n"


class Done(Exception):
    def __init__(self, status, why):
        super().__init__(why)
        self.status = status


def crash(bug, what):
    print(f"planted_client.py: planted bug '{bug}' ({what}): SIGSEGV", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    os._exit(139)


def hang(bug, what):
    print(f"planted_client.py: planted bug '{bug}' ({what}): this client hangs", file=sys.stderr, flush=True)
    while True:
        time.sleep(3600)


class Client:
    def __init__(self, sock, bugs):
        self.sock = sock
        self.bugs = bugs
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise Done(2, "a reply line of a megabyte")
            try:
                data = self.sock.recv(65536)
            except OSError as e:
                raise Done(2, f"cannot read: {e}") from e
            if not data:
                raise Done(2, "the server closed the connection")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line[:-1] if line.endswith(b"\r") else line

    def reply(self):
        """(code, lines) of one reply."""
        lines = []
        while True:
            line = self.line()
            if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3:4] not in (b" ", b"-")):
                raise Done(2, f"not a reply line: {line[:80]!r}")
            lines.append(line)
            if line[3:4] != b"-":
                break
            if len(lines) > 1000:
                raise Done(2, "a reply of more than 1000 lines")
        codes = {ln[:3] for ln in lines}
        if len(codes) != 1:
            raise Done(2, "the lines of a reply carry different codes")
        return int(lines[0][:3]), lines

    def send(self, text):
        try:
            self.sock.sendall(text if isinstance(text, bytes) else text.encode() + b"\r\n")
        except OSError as e:
            raise Done(2, f"cannot send: {e}") from e

    def expect(self, what, code, lines, want):
        if code // 100 != want:
            self.send("QUIT")
            raise Done(1, f"{what}: {code} {lines[0][4:80].decode('latin-1')}")

    def run(self):
        code, lines = self.reply()
        self.expect("greeting", code, lines, 2)
        self.send("EHLO client.example")
        code, lines = self.reply()
        if "ehlo-line" in self.bugs and any(len(ln) > 512 for ln in lines):
            crash("ehlo-line", "an EHLO reply line longer than 512 octets")
        self.expect("EHLO", code, lines, 2)
        self.send("MAIL FROM:<b@example.com>")
        code, lines = self.reply()
        if "mail-lines" in self.bugs and len(lines) > 1:
            crash("mail-lines", "a reply to MAIL of more than one line")
        self.expect("MAIL", code, lines, 2)
        self.send("RCPT TO:<a@example.com>")
        code, lines = self.reply()
        if "rcpt-4xx" in self.bugs and code // 100 == 4:
            hang("rcpt-4xx", "a 4xx reply to RCPT")
        self.expect("RCPT", code, lines, 2)
        self.send("DATA")
        code, lines = self.reply()
        self.expect("DATA", code, lines, 3)
        self.send(MESSAGE)
        code, lines = self.reply()
        self.expect("the message", code, lines, 2)
        self.send("QUIT")
        self.reply()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--bugs", default=",".join(BUGS))
    a = p.parse_args()
    bugs = {b for b in a.bugs.split(",") if b}
    unknown = bugs - set(BUGS)
    if unknown:
        p.error(f"unknown bugs: {', '.join(sorted(unknown))}")
    try:
        sock = socket.create_connection((a.host, a.port), timeout=30)
        sock.settimeout(30)
    except OSError as e:
        print(f"planted_client.py: cannot connect: {e}", file=sys.stderr)
        return 2
    try:
        Client(sock, bugs).run()
    except Done as d:
        print(f"planted_client.py: {d}", file=sys.stderr)
        return d.status
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
