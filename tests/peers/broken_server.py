#!/usr/bin/python3
"""A deliberately broken SMTP server, for testing how clients cope with bad peers.

It breaks RFC 5321 on purpose, in one way chosen with --fault; it is not a
mail server and keeps nothing.  It listens on 127.0.0.1 only; the first line
on stdout is `port N` (with --port 0 the kernel picks a free port).  It exits
on SIGTERM or SIGINT.  tests/peers/with_peer.sh starts it as the `broken`
peer.

Apart from the fault the conversation is a plain one: greeting `220`, EHLO
`250-broken.test` ... `250 HELP` (with STARTTLS when --cert is given or the
fault is a STARTTLS one), 250 to MAIL, RCPT, RSET and NOOP, DATA read up to
the lone dot, 221 to QUIT, 502 to anything else.

Faults (where: the reply they replace; --at moves those marked * to the
greeting or the EHLO reply; CODE is 220 there, 250 here):
  stall                 greeting*: never greets; reads and drops whatever comes
  stall-after-ehlo      greets, then never answers EHLO (stall --at ehlo)
  flood-continuation    EHLO*: `CODE-...` lines without end, until --cap-bytes
                        (default 200 MB) are sent; then closes
  long-line             greeting*: `CODE ` and --cap-bytes (default 100 MB)
                        of `x` with no CRLF, in chunks; then closes
  junk                  greeting*: --cap-bytes (default 64 KiB) of random
                        bytes instead of a reply; then reads and drops
  bad-code              greeting*: `2x0 hello`; then a normal session
  mixed-continuation    EHLO*: `CODE-a` then `CODE+1 b`; then normal
  close-mid-reply       EHLO*: `CODE-mx` and closes
  starttls-fail         STARTTLS: `220 2.0.0 Ready to start TLS`; once the
                        client's handshake begins (or 5 s), plaintext garbage
                        instead of the server's part of it; closes
  starttls-silent       STARTTLS: `220 2.0.0 Ready to start TLS`, then never
                        speaks TLS: reads and drops the client's handshake
  starttls-hello-stall  STARTTLS: `220 2.0.0 Ready to start TLS`; reads the
                        client's ClientHello and answers with its ServerHello
                        alone (a real one, from a TLS engine with --cert), then
                        nothing more of the handshake: reads and drops
  starttls-alert        STARTTLS: `220 2.0.0 Ready to start TLS`; then the
                        server's first flight of a TLS 1.2 handshake, its
                        certificate (--cert) included, and, once the client
                        answers, a fatal `internal_error` alert in place of
                        the rest; closes
  plaintext-injection   STARTTLS: `220 2.0.0 Ready to start TLS` and a second
                        reply `250 2.0.0 injected ...` in the same write (the
                        shape of CVE-2011-0411); then the TLS handshake (with
                        --cert) and a normal session inside TLS
  slow                  every reply: a normal session, but each reply is sent
                        --delay seconds (default 1.5) after what it answers,
                        just inside a client's 2 s step timeout, so only a
                        limit on the whole session stops it
Every connection ends after --conn-seconds (default 30) whatever happens, and
a fault stops as soon as the client goes away.
"""

import argparse
import os
import select
import signal
import socketserver
import ssl
import sys
import threading
import time

FAULTS = {  # name: where it strikes by default
    "stall": "greeting",
    "stall-after-ehlo": "ehlo",
    "flood-continuation": "ehlo",
    "long-line": "greeting",
    "junk": "greeting",
    "bad-code": "greeting",
    "mixed-continuation": "ehlo",
    "close-mid-reply": "ehlo",
    "starttls-fail": "starttls",
    "starttls-silent": "starttls",
    "starttls-hello-stall": "starttls",
    "starttls-alert": "starttls",
    "plaintext-injection": "starttls",
    "slow": "every reply",
}
MOVABLE = {"stall", "flood-continuation", "long-line", "junk", "bad-code",
           "mixed-continuation", "close-mid-reply"}
DEFAULT_CAP = {"flood-continuation": 200_000_000, "long-line": 100_000_000, "junk": 65536}
CHUNK = 65536
HOST = "broken.test"


class Gone(Exception):
    """The client closed the connection, or the connection's time is up."""


class Conn:
    """One client connection with a deadline on every read and write."""

    def __init__(self, sock, seconds, delay=0.0):
        self.sock = sock
        self.deadline = time.monotonic() + seconds
        self.delay = delay  # before each send: the `slow` fault
        self.buf = b""
        sock.setblocking(False)

    def _wait(self, for_write):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Gone("time is up")
        r, w, _ = select.select([] if for_write else [self.sock],
                                [self.sock] if for_write else [], [], min(left, 1.0))
        return bool(w if for_write else r)

    def send(self, data):
        if self.delay:
            time.sleep(max(0.0, min(self.delay, self.deadline - time.monotonic())))
        view = memoryview(data)
        while view:
            if not self._wait(True):
                continue
            try:
                n = self.sock.send(view)
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                continue
            except OSError as e:
                raise Gone(str(e)) from e
            view = view[n:]

    def _fill(self):
        pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
        if not pending and not self._wait(False):
            return
        try:
            data = self.sock.recv(CHUNK)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError as e:
            raise Gone(str(e)) from e
        if not data:
            raise Gone("closed by the client")
        self.buf += data[: 1 << 20]  # a line longer than that is cut

    def readline(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                line, self.buf = self.buf, b""
                return line
            self._fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r")

    def drain(self):
        """Reads and drops everything until the client goes or time is up."""
        while True:
            self._fill()
            self.buf = b""


class Session:
    def __init__(self, conn, args):
        self.c = conn
        self.a = args
        self.at = args.at or FAULTS[args.fault]
        self.cap = args.cap_bytes or DEFAULT_CAP.get(args.fault, 0)

    def run(self):
        if self.at == "greeting":
            if not self.fault(220):
                return
        else:
            self.c.send(f"220 {HOST} ESMTP deliberately broken server ({self.a.fault})\r\n".encode())
        while True:
            line = self.c.readline()
            verb = line.split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                if self.at == "ehlo":
                    if not self.fault(250):
                        return
                elif verb == b"HELO":
                    self.c.send(f"250 {HOST}\r\n".encode())
                else:
                    self.ehlo_reply()
            elif verb == b"STARTTLS":
                if not self.starttls():
                    return
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.c.send(b"250 2.0.0 OK\r\n")
            elif verb == b"DATA":
                self.c.send(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                while self.c.readline() != b".":
                    pass
                self.c.send(b"250 2.0.0 OK: thrown away\r\n")
            elif verb == b"QUIT":
                self.c.send(b"221 2.0.0 Bye\r\n")
                return
            else:
                self.c.send(b"502 5.5.2 Error: command not recognized\r\n")

    def ehlo_reply(self):
        keywords = ["8BITMIME", "ENHANCEDSTATUSCODES"]
        if self.a.cert or self.a.fault.startswith(("starttls", "plaintext")):
            keywords.append("STARTTLS")
        lines = [HOST] + keywords + ["HELP"]
        text = "".join(f"250-{k}\r\n" for k in lines[:-1]) + f"250 {lines[-1]}\r\n"
        self.c.send(text.encode())

    def fault(self, code):
        """The fault in place of a reply with CODE.  True: the session goes on."""
        f = self.a.fault
        if f in ("stall", "stall-after-ehlo"):
            self.c.drain()
        elif f == "flood-continuation":
            line = f"{code}-flood of continuation lines that never ends .........\r\n".encode()
            block = line * (CHUNK // len(line))
            sent = 0
            while sent < self.cap:
                self.c.send(block)
                sent += len(block)
            return False
        elif f == "long-line":
            self.c.send(f"{code} ".encode())
            block = b"x" * CHUNK
            sent = 0
            while sent < self.cap:
                self.c.send(block[: min(CHUNK, self.cap - sent)])
                sent += CHUNK
            return False
        elif f == "junk":
            sent = 0
            while sent < self.cap:
                self.c.send(os.urandom(min(CHUNK, self.cap - sent)))
                sent += CHUNK
            self.c.drain()
        elif f == "bad-code":
            self.c.send(b"2x0 hello\r\n")
            return True
        elif f == "mixed-continuation":
            self.c.send(f"{code}-a\r\n{code + 1} b\r\n".encode())
            return True
        elif f == "close-mid-reply":
            self.c.send(f"{code}-mx\r\n".encode())
            return False
        return False

    def starttls(self):
        ready = b"220 2.0.0 Ready to start TLS\r\n"
        if self.a.fault == "starttls-fail":
            self.c.send(ready)
            try:  # the client's first handshake bytes, then the garbage
                self.c.deadline = min(self.c.deadline, time.monotonic() + 5)
                self.c._fill()
            finally:
                self.c.send(b"this is not a TLS handshake\r\n" + os.urandom(64))
            return False
        if self.a.fault == "starttls-silent":
            self.c.send(ready)
            self.c.drain()
            return False
        if self.a.fault == "starttls-hello-stall":
            self.c.send(ready)
            self.c.send(self.server_hello())
            self.c.drain()
            return False
        if self.a.fault == "starttls-alert":
            self.c.send(ready)
            self.alert_mid_handshake()
            return False
        if self.a.fault == "plaintext-injection":
            self.c.send(ready + b"250 2.0.0 injected reply, sent in plaintext after the 220\r\n")
        elif self.a.cert:
            self.c.send(ready)
        else:
            self.c.send(b"454 4.7.0 TLS not available\r\n")
            return True
        if not self.a.cert:
            self.c.drain()
            return False
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.a.cert)
        sock = ctx.wrap_socket(self.c.sock, server_side=True, do_handshake_on_connect=False)
        # wrap_socket() takes the descriptor from the plain socket (its fileno()
        # becomes -1), so the waits below must select on the TLS socket.
        self.c.sock = sock
        while True:
            try:
                sock.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.c._wait(False)
            except ssl.SSLWantWriteError:
                self.c._wait(True)
            except (ssl.SSLError, OSError) as e:
                raise Gone(f"TLS handshake failed: {e}") from e
        self.c.buf = b""
        return True

    def client_bytes(self):
        """What the client sent next (what is buffered, or one read)."""
        while not self.c.buf:
            self.c._fill()
        data, self.c.buf = self.c.buf, b""
        return data

    def alert_mid_handshake(self):
        """A TLS 1.2 handshake as far as the server's first flight, then an alert.

        The handshake runs over memory buffers, so the server's flight
        (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone) is real
        and the client holds the certificate when the alert comes.  TLS 1.2,
        because there the alert goes before the server's ChangeCipherSpec, in
        a plaintext record any client reads: fatal (2), internal_error (80).
        """
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.a.cert)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
        while not outgoing.pending:  # the ClientHello, whole
            incoming.write(self.client_bytes())
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
        self.c.send(outgoing.read())
        self.client_bytes()  # ClientKeyExchange, ChangeCipherSpec, Finished: not read
        self.c.send(b"\x15\x03\x03\x00\x02\x02\x50")


    def server_hello(self):
        """The client's ClientHello, read and answered by a TLS engine; of its
        answer only the first handshake message (ServerHello), in a record of
        its own, is returned."""
        if not self.a.cert:
            raise Gone("starttls-hello-stall needs --cert")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.a.cert)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
        flight = b""
        while not flight:
            self.c._fill()
            incoming.write(self.c.buf)
            self.c.buf = b""
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                raise Gone(f"not a ClientHello: {e}") from e
            flight = outgoing.read()
        # A record: type, version (2), length (2); a handshake message in it:
        # type, length (3). TLS 1.2 servers may pack the whole flight in one record.
        body = flight[5:5 + int.from_bytes(flight[3:5], "big")]
        hello = body[:4 + int.from_bytes(body[1:4], "big")]
        return flight[:3] + len(hello).to_bytes(2, "big") + hello


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog=__doc__.split("\n\n", 2)[2],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fault", required=True, choices=sorted(FAULTS))
    p.add_argument("--at", choices=["greeting", "ehlo"],
                   help="where a movable fault strikes (default: the fault's own place)")
    p.add_argument("--port", type=int, default=0, help="0 = any free port")
    p.add_argument("--cert", help="PEM holding certificate and key (for STARTTLS)")
    p.add_argument("--cap-bytes", type=int, help="bytes a flood, long line or junk sends")
    p.add_argument("--conn-seconds", type=float, default=30.0,
                   help="every connection is closed after this long")
    p.add_argument("--delay", type=float, default=1.5,
                   help="seconds before each reply (--fault slow)")
    a = p.parse_args()
    if a.at and a.fault not in MOVABLE:
        p.error(f"--at does not apply to --fault {a.fault}")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                delay = a.delay if a.fault == "slow" else 0.0
                Session(Conn(self.request, a.conn_seconds, delay), a).run()
            except Gone:
                pass
            finally:
                try:
                    self.request.close()
                except OSError:
                    pass

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", a.port), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    print(f"broken_server.py: fault {a.fault}, listening on 127.0.0.1:{server.server_address[1]}",
          file=sys.stderr, flush=True)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
