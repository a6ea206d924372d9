#!/usr/bin/python3
"""An SMTP server with bugs planted deep in its state machine, for proving `ehlo fuzz`.

Apart from the bugs it is a plain, fairly strict server that keeps nothing:
EHLO offers PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, CHUNKING, DSN,
SMTPUTF8, STARTTLS (with --cert, outside TLS) and AUTH PLAIN LOGIN (in the
clear too), for alice / wonderland; MAIL, RCPT (`nobody@` refused), DATA and
BDAT need what comes before them (503 otherwise); a local part longer than 64
octets is refused (RFC 5321 section 4.5.3.1.1). It listens on 127.0.0.1 only;
the first line on stdout is `port N` (--port 0: the kernel picks one). It
exits on SIGTERM or SIGINT.

The bugs (all of them unless --bugs names some). A crash resets the
connection (SO_LINGER 0) and ends the whole process with its own status (with
--crash-as segv: by SIGSEGV, after a line as AddressSanitizer writes one), the
way a server that dereferences a null pointer goes; a hang stops answering the
connection, which stays open:

  auth      after a successful AUTH, an AUTH not all in upper   crash, exit 21
            case (`auth PLAIN`, `AUTH plain`: as if its mechanism
            lookup were case-sensitive and unchecked; 503 is due)
  bdat      inside a transaction, BDAT 0 without LAST           hang
            (RFC 3030 allows the empty chunk; the correct answer is 250)
  rset      after RSET, MAIL FROM with any parameter            crash, exit 23
            (as if the reset freed the parameters' table; 250 or a
            refusal of the parameter is due)
  length    RCPT TO whose local part is exactly 64 octets,      crash, exit 24
            the limit (an off-by-one: 65 and more are refused)
  starttls  inside TLS, STARTTLS again                          crash, exit 25
            (503 is due)

tests/broken/fuzz_planted.sh starts it through `ehlo fuzz --exec`.
"""

import argparse
import base64
import os
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

HOST = "planted.test"
BUGS = {"auth": 21, "bdat": None, "rset": 23, "length": 24, "starttls": 25}
MAX_LINE = 1000
MAX_SIZE = 10240000


class Gone(Exception):
    """The client went away, or the connection's time is up."""


class Conn:
    def __init__(self, sock, seconds):
        self.sock = sock
        self.deadline = time.monotonic() + seconds
        self.buf = b""
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as mail servers do: no Nagle stalls
        sock.setblocking(False)

    def wait(self, for_write):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Gone("time is up")
        r, w, _ = select.select([] if for_write else [self.sock], [self.sock] if for_write else [], [],
                                min(left, 1.0))
        return bool(w if for_write else r)

    def send(self, data):
        view = memoryview(data)
        while view:
            if not self.wait(True):
                continue
            try:
                view = view[self.sock.send(view):]
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                continue
            except OSError as e:
                raise Gone(str(e)) from e

    def fill(self):
        pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
        if not pending and not self.wait(False):
            return
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError as e:
            raise Gone(str(e)) from e
        if not data:
            raise Gone("closed by the client")
        self.buf += data

    def readline(self):
        """A line without its end (CRLF, or a bare LF: this server is lenient there)."""
        while b"\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise Gone("a line of a megabyte")
            self.fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line[:-1] if line.endswith(b"\r") else line

    def read_octets(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class Session:
    def __init__(self, conn, args):
        self.c = conn
        self.a = args
        self.tls = False
        self.reset(greeted=False)
        self.authenticated = False
        self.after_rset = False

    def reset(self, greeted=True):
        self.greeted = greeted
        self.mail = None
        self.rcpts = 0
        self.chunks = False

    def reply(self, text):
        self.c.send(text.encode() + b"\r\n")

    def crash(self, bug, what):
        """The planted bug goes off: the connection reset, the process gone with its status."""
        print(f"planted_server.py: planted bug '{bug}' ({what}): exit {BUGS[bug]}", file=sys.stderr, flush=True)
        try:
            self.c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.c.sock.fileno())
        except OSError:
            pass
        if self.a.crash_as == "segv":  # as native code goes: killed by SIGSEGV, after a sanitizer-like line
            print(f"==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (planted bug '{bug}')",
                  file=sys.stderr, flush=True)
            # To this thread, so it is delivered before the next line (Python leaves SIGSEGV at its default).
            signal.pthread_kill(threading.get_ident(), signal.SIGSEGV)
            time.sleep(10)
        os._exit(BUGS[bug])

    def hang(self, bug, what):
        print(f"planted_server.py: planted bug '{bug}' ({what}): this connection hangs", file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)

    def planted(self, bug):
        return bug in self.a.bugs

    def run(self):
        self.reply(f"220 {HOST} ESMTP planted-bug server")
        while True:
            line = self.c.readline()
            if len(line) + 2 > MAX_LINE:
                self.reply("500 5.5.2 Error: line too long")
                continue
            text = line.decode("utf-8", "replace")
            self.line = text
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            handler = getattr(self, "cmd_" + verb, None) if verb.isalpha() else None
            if handler is None:
                self.reply("500 5.5.2 Error: command not recognized")
            elif handler(arg) is False:
                return

    def cmd_EHLO(self, arg):
        if not arg.strip():
            return self.reply("501 5.5.4 Syntax: EHLO hostname")
        self.reset()
        keywords = [HOST, "PIPELINING", f"SIZE {MAX_SIZE}", "8BITMIME", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN",
                    "SMTPUTF8"]
        if self.a.cert and not self.tls:
            keywords.append("STARTTLS")
        keywords.append("AUTH PLAIN LOGIN")
        self.c.send("".join(f"250-{k}\r\n" for k in keywords[:-1]).encode() + f"250 {keywords[-1]}\r\n".encode())

    def cmd_HELO(self, arg):
        if not arg.strip():
            return self.reply("501 5.5.4 Syntax: HELO hostname")
        self.reset()
        self.reply(f"250 {HOST}")

    @staticmethod
    def path(arg, prefix):
        if not arg.upper().startswith(prefix):
            return None, None
        rest = arg[len(prefix):].lstrip()
        if not rest.startswith("<") or ">" not in rest:
            return None, None
        inner, _, params = rest[1:].partition(">")
        return inner, params.strip()

    def cmd_MAIL(self, arg):
        if self.mail is not None:
            return self.reply("503 5.5.1 Error: nested MAIL command")
        inner, params = self.path(arg, "FROM:")
        if inner is None:
            return self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        words = params.split()
        if words and self.after_rset and self.planted("rset"):
            self.crash("rset", "MAIL FROM with a parameter after RSET")
        for p in words:
            key, _, value = p.partition("=")
            if key.upper() == "SIZE" and (not value.isdigit() or len(value) > 12 or int(value) > MAX_SIZE):
                return self.reply("552 5.3.4 Error: message size exceeds fixed limit")
        self.mail = inner
        self.after_rset = False
        self.reply("250 2.1.0 Ok")

    def cmd_RCPT(self, arg):
        if self.mail is None:
            return self.reply("503 5.5.1 Error: need MAIL command")
        inner, _ = self.path(arg, "TO:")
        if inner is None:
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
        local = inner.rpartition("@")[0] if "@" in inner else inner
        if len(local.encode()) == 64 and self.planted("length"):
            self.crash("length", "a local part of exactly 64 octets")
        if len(local.encode()) >= 64:
            return self.reply("501 5.1.3 Bad recipient address syntax: local part too long")
        if local.lower() == "nobody":
            return self.reply(f"550 5.1.1 <{inner}>: Recipient address rejected: User unknown")
        self.rcpts += 1
        self.reply("250 2.1.5 Ok")

    def cmd_DATA(self, arg):
        if self.mail is None:
            return self.reply("503 5.5.1 Error: need MAIL command")
        if self.rcpts == 0:
            return self.reply("503 5.5.1 Error: need RCPT command")
        if self.chunks:
            return self.reply("503 5.5.1 Error: DATA after BDAT")
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        while self.c.readline() != b".":
            pass
        self.reset()
        self.reply("250 2.0.0 Ok: queued")

    def cmd_BDAT(self, arg):
        words = arg.split()
        if not words or not words[0].isdigit() or len(words) > 2 or (len(words) == 2 and words[1].upper() != "LAST"):
            return self.reply("501 5.5.4 Syntax: BDAT size [LAST]")
        size, last = int(words[0]), len(words) == 2
        self.c.read_octets(size)  # the chunk is read whatever the answer
        if self.mail is None or self.rcpts == 0:
            return self.reply("503 5.5.1 Error: need MAIL and RCPT commands")
        if size == 0 and not last and self.planted("bdat"):
            self.hang("bdat", "BDAT 0 without LAST")
        self.chunks = True
        if last:
            self.reset()
            return self.reply("250 2.0.0 Ok: queued")
        self.reply(f"250 2.0.0 Ok: {size} octets")

    def cmd_RSET(self, arg):
        self.reset()
        self.after_rset = True
        self.reply("250 2.0.0 Ok")

    def cmd_NOOP(self, arg):
        self.reply("250 2.0.0 Ok")

    def cmd_VRFY(self, arg):
        self.reply("252 2.5.2 Cannot VRFY user")

    def cmd_HELP(self, arg):
        self.reply("214 2.0.0 See RFC 5321")

    def cmd_QUIT(self, arg):
        self.reply("221 2.0.0 Bye")
        return False

    def cmd_STARTTLS(self, arg):
        if self.tls and self.planted("starttls"):
            self.crash("starttls", "STARTTLS inside TLS")
        if self.tls or not self.a.cert:
            return self.reply("503 5.5.1 Error: TLS already active" if self.tls else "502 5.5.1 Error: TLS not available")
        if arg:
            return self.reply("501 5.5.4 Syntax: STARTTLS")
        self.reply("220 2.0.0 Ready to start TLS")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.a.cert)
        sock = ctx.wrap_socket(self.c.sock, server_side=True, do_handshake_on_connect=False)
        self.c.sock = sock
        while True:
            try:
                sock.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.c.wait(False)
            except ssl.SSLWantWriteError:
                self.c.wait(True)
            except (ssl.SSLError, OSError) as e:
                raise Gone(f"TLS handshake failed: {e}") from e
        self.c.buf = b""  # RFC 3207 section 4.2: what came before the handshake is dropped
        self.tls = True
        self.authenticated = False
        self.reset(greeted=False)

    def sasl(self, prompt):
        self.reply(f"334 {prompt}")
        return self.c.readline().decode("utf-8", "replace")

    def cmd_AUTH(self, arg):
        if self.authenticated and self.planted("auth") and self.line.split(" ")[:2] != self.line.upper().split(" ")[:2]:
            self.crash("auth", "AUTH not in upper case after a successful AUTH")
        if self.authenticated:
            return self.reply("503 5.5.1 Error: already authenticated")
        if self.mail is not None:
            return self.reply("503 5.5.1 Error: MAIL transaction in progress")
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        try:
            if mech == "PLAIN":
                response = initial or self.sasl("")
                if response == "*":
                    return self.reply("501 5.7.0 Authentication aborted")
                parts = base64.b64decode(response, validate=True).split(b"\0")
                user, password = (parts[1], parts[2]) if len(parts) == 3 else (b"", b"")
            elif mech == "LOGIN":
                response = initial or self.sasl("VXNlcm5hbWU6")
                if response == "*":
                    return self.reply("501 5.7.0 Authentication aborted")
                user = base64.b64decode(response, validate=True)
                response = self.sasl("UGFzc3dvcmQ6")
                if response == "*":
                    return self.reply("501 5.7.0 Authentication aborted")
                password = base64.b64decode(response, validate=True)
            else:
                return self.reply("504 5.5.4 Unrecognized authentication type")
        except ValueError:
            return self.reply("501 5.5.2 Cannot decode response")
        if (user, password) != (b"alice", b"wonderland"):
            return self.reply("535 5.7.8 Error: authentication failed")
        self.authenticated = True
        self.reply("235 2.7.0 Authentication successful")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="0 = any free port")
    p.add_argument("--cert", help="PEM holding certificate and key (for STARTTLS)")
    p.add_argument("--bugs", default=",".join(BUGS), help="the planted bugs that are live (default: all)")
    p.add_argument("--crash-as", choices=["exit", "segv"], default="exit",
                   help="a crash ends the process with the bug's status (exit), or by SIGSEGV after an "
                        "AddressSanitizer-like report (segv)")
    p.add_argument("--conn-seconds", type=float, default=60.0, help="every connection ends after this long")
    a = p.parse_args()
    a.bugs = {b for b in a.bugs.split(",") if b}
    unknown = a.bugs - set(BUGS)
    if unknown:
        p.error(f"unknown bugs: {', '.join(sorted(unknown))}")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                Session(Conn(self.request, a.conn_seconds), a).run()
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
        request_queue_size = 128

    server = Server(("127.0.0.1", a.port), Handler)
    print(f"port {server.server_address[1]}", flush=True)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
