#!/usr/bin/python3
"""A tiny scripted SMTP client that prints the session in the S:/C: form.

    smtp_talk.py --port N [--host 127.0.0.1] [options] STEP...

It reads the greeting, then plays each STEP and reads its reply, and prints
what went over the wire as `S: ` / `C: ` lines (the transcript form of
scenarios/README.md: the later lines of a multi-line reply unprefixed), and
its own observations as `# ` lines.  For sessions swaks cannot drive (BDAT,
RSET, VRFY, unknown commands, raw pipelining) and for checking that a broken
server's fault shows.

Steps:
  TEXT            a command line, sent with CRLF; one reply is read.  STARTTLS
                  is followed, after a 220, by the TLS handshake (the
                  certificate is not checked unless --cafile is given).
  DATA            after a 354 the next steps are message lines, sent as they
                  are (already dot-stuffed) without reading, up to the step
                  `.`; then one reply.
  @pipe:A|B|C     A, B and C (commands) in one write; then one reply each.
  @bdat:TEXT      BDAT <size of TEXT> and TEXT's bytes in one write; one reply.
  @bdat-last:TEXT the same with LAST.  In TEXT, \\r \\n \\t \\\\ and \\xNN are
                  escapes (so a chunk ends its lines with \\r\\n).
  @read           nothing sent; one reply read.
Quits with QUIT unless a step sent it.  Exit status: 0 when every reply was
well formed (whatever its code); 1 when the server broke the protocol or the
connection (the `# ` line before says how); 2 on a usage error.
"""

import argparse
import codecs
import re
import socket
import ssl
import sys
import time

REPLY_LINE = re.compile(rb"^[2-5][0-9][0-9]([ -]|$)")


class Broken(Exception):
    """The server broke the protocol or the connection; the text says how."""


def shown(data, limit=200):
    """A wire line as text: printable ASCII kept, other bytes as \\xNN."""
    text = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in data[:limit])
    if len(data) > limit:
        text += f"... ({len(data)} bytes)"
    return text


class Client:
    def __init__(self, a):
        self.a = a
        self.buf = b""
        self.sock = socket.create_connection((a.host, a.port), timeout=a.timeout)

    def say(self, note):
        print(f"# {note}", flush=True)

    def send(self, data, lines):
        for i, line in enumerate(lines):
            print(("C: " if i == 0 or self.a.prefix_all else "") + shown(line, 10_000))
        sys.stdout.flush()
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Broken(f"cannot send: {e}") from None

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Broken(f"no reply within {self.a.timeout:g} s") from None
        except ssl.SSLError as e:
            raise Broken(f"TLS error: {e}") from None
        except OSError as e:
            raise Broken(f"connection error: {e}") from None
        if not data:
            raise Broken("connection closed by the server")
        self.buf += data

    def line(self, first):
        while True:
            end = self.buf.find(b"\n")
            if end >= 0:
                break
            if len(self.buf) > self.a.max_line:
                raise Broken(f"a line longer than {self.a.max_line} bytes with no LF "
                             f"(starts {shown(self.buf[:40])})")
            try:
                self._fill()
            except Broken as e:
                if self.buf or not first:
                    raise Broken(f"{e} in mid-reply") from None
                raise
        line, self.buf = self.buf[:end], self.buf[end + 1:]
        if line.endswith(b"\r"):
            return line[:-1], False
        return line, True

    def reply(self):
        """Reads one reply; returns its code."""
        lines, size, code = [], 0, None
        while True:
            line, bare_lf = self.line(first=not lines)
            print(("S: " if not lines or self.a.prefix_all else "") + shown(line), flush=True)
            if bare_lf:
                self.say("the line above ends with a bare LF")
            lines.append(line)
            size += len(line) + 2
            if not REPLY_LINE.match(line):
                raise Broken(f"not a reply line: {shown(line[:40])}")
            if code is None:
                code = line[:3]
            elif line[:3] != code:
                raise Broken(f"codes differ within one reply ({code.decode()}, {line[:3].decode()})")
            if len(line) == 3 or line[3:4] == b" ":
                return int(code)
            if len(lines) >= self.a.max_lines or size > self.a.max_reply:
                raise Broken(f"a reply of more than {len(lines)} lines / {size} bytes; given up")

    def starttls(self):
        if self.buf:
            raise Broken(f"{len(self.buf)} bytes arrived after the 220 to STARTTLS, before the "
                         f"TLS handshake: {shown(self.buf[:80])}")
        ctx = ssl.create_default_context(cafile=self.a.cafile)
        ctx.check_hostname = False
        if not self.a.cafile:
            ctx.verify_mode = ssl.CERT_NONE
        try:
            self.sock = ctx.wrap_socket(self.sock, server_hostname=self.a.host)
        except (ssl.SSLError, OSError) as e:
            raise Broken(f"TLS handshake failed: {e}") from None
        self.say(f"TLS started: {self.sock.version()} {self.sock.cipher()[0]}")


def unescape(text):
    return codecs.escape_decode(text.encode())[0]


def play(c, steps):
    code = c.reply()  # the greeting
    quit_sent = False
    data_mode = False
    for step in steps:
        if data_mode:
            c.send(step.encode() + b"\r\n", [step.encode()])
            if step == ".":
                data_mode = False
                c.reply()
            continue
        if step.startswith("@pipe:"):
            cmds = [s.encode() for s in step[6:].split("|")]
            c.send(b"".join(x + b"\r\n" for x in cmds), cmds)
            for cmd in cmds:
                code = c.reply()
                data_mode = cmd.upper() == b"DATA" and code == 354
            quit_sent |= any(x.upper() == b"QUIT" for x in cmds)
        elif step.startswith(("@bdat:", "@bdat-last:")):
            last = step.startswith("@bdat-last:")
            chunk = unescape(step.split(":", 1)[1])
            head = f"BDAT {len(chunk)}{' LAST' if last else ''}".encode()
            shown_lines = chunk.split(b"\r\n")
            if chunk.endswith(b"\r\n") or not chunk:
                shown_lines.pop()
            c.send(head + b"\r\n" + chunk, [head] + shown_lines)
            c.reply()
        elif step == "@read":
            c.reply()
        else:
            c.send(step.encode() + b"\r\n", [step.encode()])
            code = c.reply()
            verb = step.split(" ", 1)[0].upper()
            if verb == "STARTTLS" and code == 220:
                c.starttls()
            elif verb == "DATA" and code == 354:
                data_mode = True
            elif verb == "QUIT":
                quit_sent = True
    if not quit_sent:
        c.send(b"QUIT\r\n", [b"QUIT"])
        c.reply()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each read")
    p.add_argument("--cafile", help="check the server's certificate against this PEM")
    p.add_argument("--max-line", type=int, default=1 << 20, help="give up on a longer line")
    p.add_argument("--max-lines", type=int, default=10_000, help="give up on a longer reply")
    p.add_argument("--max-reply", type=int, default=1 << 20, help="give up on a bigger reply")
    p.add_argument("--prefix-all", action="store_true", help="prefix every line with S: or C:")
    p.add_argument("steps", nargs="*", metavar="STEP")
    a = p.parse_args()
    start = time.monotonic()
    try:
        c = Client(a)
    except OSError as e:
        print(f"# cannot connect to {a.host}:{a.port}: {e}", flush=True)
        return 1
    try:
        play(c, a.steps)
    except Broken as e:
        print(f"# {e} ({time.monotonic() - start:.1f} s)", flush=True)
        return 1
    finally:
        c.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
