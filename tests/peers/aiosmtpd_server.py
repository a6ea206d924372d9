#!/usr/bin/python3
"""A small aiosmtpd server for tests and transcript captures.

Run it with Debian's interpreter (/usr/bin/python3, which has python3-aiosmtpd),
not whatever `python3` is first on PATH:

    /usr/bin/python3 aiosmtpd_server.py --port 0 --cert cert.pem --key key.pem

tests/peers/with_peer.sh starts it as the `aiosmtpd` peer; capture.sh in
tests/data/captures runs it directly.

It listens on 127.0.0.1 only.  The first line on stdout is `port N`, the port
it is bound to (useful with --port 0, which lets the kernel pick a free one).
It stops cleanly (exit status 0) on SIGTERM or SIGINT.

Features:
  * STARTTLS when --cert is given (--key defaults to the same file, so a PEM
    holding both works).
  * AUTH PLAIN and LOGIN (built into aiosmtpd) and CRAM-MD5 (aiosmtpd 1.4 has
    no CRAM-MD5 of its own; this file adds it through the handler's
    auth_CRAM__MD5 hook).  One fixed user: alice / wonderland.
  * --auth-require-tls yes|no: aiosmtpd's auth_require_tls.  With `yes` (the
    aiosmtpd default) AUTH is not advertised before STARTTLS and is refused
    with 538 if sent anyway.
  * --pipelining: also advertise PIPELINING in the EHLO reply.  aiosmtpd reads
    commands one line at a time, so pipelined commands work, but it does not
    advertise the extension by itself.
  * --refuse LOCALPART: RCPT TO any address with this local part (compared
    without regard to case, any domain) gets `550 5.1.1`, as an unknown user
    does on a real MX.  Without it every recipient is accepted.
  * --domain DOMAIN: the one domain delivered to.  RCPT TO any other domain
    from a client that has not authenticated gets `550 5.7.1 ... Relay
    access denied` (an authenticated one relays, and the message is kept as
    any other).  Without it every domain is accepted, as by an open relay.
  * --maildir DIR: write each accepted message to DIR/NNNN.eml (the raw DATA
    content as received, after dot-unstuffing); without it messages are
    accepted and dropped.
"""

import argparse
import asyncio
import hmac
import logging
import os
import secrets
import signal
import ssl
import sys
import time

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER = b"alice"
PASSWORD = b"wonderland"


def authenticator(server, session, envelope, mechanism, auth_data):
    """Checks the PLAIN and LOGIN credentials aiosmtpd decoded for us.

    handled=False on failure makes aiosmtpd send its "535 5.7.8" reply (the
    default, handled=True, means "already answered" and would send nothing).
    """
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == USER and auth_data.password == PASSWORD)
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class Handler:
    def __init__(self, maildir, pipelining, refuse, domain, lmtp=None):
        self.lmtp = lmtp
        self.maildir = maildir
        self.pipelining = pipelining
        self.refuse = refuse.lower() if refuse else None
        self.domain = domain.lower() if domain else None
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # With this hook aiosmtpd hands us its EHLO lines and sends what we
        # return; the hook must record the client's name itself.
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")  # before the final "250 HELP"
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # With this hook aiosmtpd leaves recording the recipient to us.
        local, _, domain = address.rpartition("@")
        if self.domain and domain.lower() != self.domain and not session.authenticated:
            return f"550 5.7.1 <{address}>: Relay access denied"
        if self.refuse and local.lower() == self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def auth_CRAM__MD5(self, server, args):
        """AUTH CRAM-MD5 (RFC 2195): the method name maps to "CRAM-MD5"."""
        if len(args) != 1:  # CRAM-MD5 has no initial response
            await server.push("501 5.5.2 CRAM-MD5 takes no initial response")
            return AuthResult(success=False, handled=True)
        challenge = f"<{secrets.randbelow(10**9)}.{int(time.time())}@localhost>"
        reply = await server.challenge_auth(challenge.encode())  # sends 334 b64
        if not isinstance(reply, bytes):  # '*' or bad base64: already answered
            return AuthResult(success=False, handled=True)
        login, _, digest = reply.partition(b" ")
        want = hmac.new(PASSWORD, challenge.encode(), "md5").hexdigest().encode()
        ok = login == USER and hmac.compare_digest(digest, want)
        return AuthResult(success=ok, handled=False,  # 235 or 535, as above
                          auth_data=LoginPassword(login, b"") if ok else None)

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.maildir:
            path = os.path.join(self.maildir, f"{self.count:04d}.eml")
            with open(path, "wb") as f:
                f.write(envelope.original_content)
        if self.lmtp == "per-recipient":
            # RFC 2033 §4.2: a reply for each accepted recipient, in order.
            return "\r\n".join(f"250 2.0.0 <{r}> delivered" for r in envelope.rcpt_tos)
        return "250 2.0.0 OK message accepted"


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="0 = any free port")
    p.add_argument("--cert", help="PEM certificate; enables STARTTLS")
    p.add_argument("--key", help="PEM private key (default: --cert)")
    p.add_argument("--auth-require-tls", choices=["yes", "no"], default="yes")
    p.add_argument("--pipelining", action="store_true")
    p.add_argument("--refuse", metavar="LOCALPART",
                   help="refuse recipients with this local part (550 5.1.1)")
    p.add_argument("--domain",
                   help="the one domain delivered to: others are relayed for authenticated clients only")
    p.add_argument("--maildir", help="folder to write accepted messages to")
    p.add_argument("--lmtp", choices=["per-recipient", "one-reply"],
                   help="speak LMTP (aiosmtpd.lmtp.LMTP): after the end of data a reply per "
                        "recipient, or aiosmtpd's own one reply whatever the recipients")
    a = p.parse_args()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    tls = None
    if a.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # no client certs
        tls.load_cert_chain(a.cert, a.key or a.cert)
    if a.maildir:
        os.makedirs(a.maildir, exist_ok=True)
    handler = Handler(a.maildir, a.pipelining, a.refuse, a.domain, a.lmtp)

    def factory():
        return (LMTP if a.lmtp else SMTP)(handler, hostname="localhost", ident="aiosmtpd ehlo-test",
                    tls_context=tls, authenticator=authenticator,
                    auth_require_tls=(a.auth_require_tls == "yes"))

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=a.port)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    logging.info("stopped")


if __name__ == "__main__":
    asyncio.run(main())
