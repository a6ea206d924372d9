#!/usr/bin/python3
"""Sends one small message with smtplib, printing smtplib's own debug output.

    /usr/bin/python3 smtplib_client.py --port N --debuglevel 1|2 [--starttls] [--login]

smtplib writes its debug lines to stderr; capture.sh records stdout+stderr.
--starttls upgrades with a context that skips certificate checks (the test
server's certificate is self-signed); --login logs in as alice/wonderland,
letting smtplib pick the mechanism from the server's AUTH list.
"""

import argparse
import smtplib
import ssl
from email.message import EmailMessage

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--debuglevel", type=int, choices=[1, 2], default=1)
p.add_argument("--starttls", action="store_true")
p.add_argument("--login", action="store_true")
a = p.parse_args()

msg = EmailMessage()
msg["From"] = "Bob <b@example.com>"
msg["To"] = "Alice <a@example.com>"
msg["Subject"] = "ehlo capture test"
msg["Date"] = "Thu, 01 Jan 2026 00:00:00 +0000"
msg["Message-ID"] = "<capture-test@example.com>"
msg.set_content("Hello Alice,\n\n.this line starts with a dot, so the client must dot-stuff it.\nBye.\n")



class DebugSMTP(smtplib.SMTP):
    # smtplib.SMTP.debuglevel is a class attribute that __init__ leaves alone;
    # setting it here traces the connect (and greeting) done by __init__ too.
    # (Calling connect() ourselves after set_debuglevel() would leave the
    # hostname starttls() needs for SNI empty.)
    debuglevel = a.debuglevel


with DebugSMTP("127.0.0.1", a.port, local_hostname="client.example", timeout=10) as s:
    s.set_debuglevel(a.debuglevel)  # the documented call; same level
    s.ehlo()
    if a.starttls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx)
        s.ehlo()
    if a.login:
        s.login("alice", "wonderland")
    s.send_message(msg)
