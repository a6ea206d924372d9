#!/usr/bin/python3
"""Sends one message with Python's smtplib to ehlo's server role.

    /usr/bin/python3 smtplib_send.py --port N [--host H] [--starttls] [--login] [--password P]
                                     [--message-file FILE] [--international]
                                     [--mail-option OPT]... [--rcpt-option OPT]...

Exit status: 0 when the message was accepted; 3 when the server refused the
credentials (smtplib.SMTPAuthenticationError, its code and text on stderr);
any other exception ends the program with Python's usual status 1.
--starttls upgrades with a context that skips certificate checks (ehlo's
certificate is self-signed); --login logs in as alice, letting smtplib pick
the mechanism from the server's AUTH list. --message-file sends the file's
text as the whole message with sendmail() (as a str: smtplib turns its line
ends into CRLF and doubles leading dots) instead of the built message.
--international sends from jörg@example.com to δοκιμή@example.com with a UTF-8
Subject: send_message() then declares SMTPUTF8 and BODY=8BITMIME itself (and
refuses, SMTPNotSupportedError, when the server does not offer SMTPUTF8).
--mail-option and --rcpt-option add ESMTP parameters (RET=HDRS, NOTIFY=...),
which smtplib sends whether or not the server offered their extension.
"""

import argparse
import smtplib
import ssl
import sys
from email.message import EmailMessage

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--message-file")
p.add_argument("--starttls", action="store_true")
p.add_argument("--login", action="store_true")
p.add_argument("--password", default="wonderland")
p.add_argument("--international", action="store_true")
p.add_argument("--mail-option", action="append", default=[])
p.add_argument("--rcpt-option", action="append", default=[])
a = p.parse_args()

msg = EmailMessage()
if a.international:
    msg["From"] = "Jörg <jörg@example.com>"
    msg["To"] = "δοκιμή@example.com"
    msg["Subject"] = "Grüße aus Köln"
else:
    msg["From"] = "Bob <b@example.com>"
    msg["To"] = "Alice <a@example.com>"
    msg["Subject"] = "ehlo smtplib test"
msg.set_content("Hello Alice,\n\n.this line starts with a dot, so the client must dot-stuff it.\nBye.\n")

try:
    with smtplib.SMTP(a.host, a.port, local_hostname="client.example", timeout=10) as s:
        s.set_debuglevel(1)
        s.ehlo()
        if a.starttls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s.starttls(context=ctx)
            s.ehlo()
        if a.login:
            s.login("alice", a.password)
        if a.message_file:
            with open(a.message_file, encoding="ascii", newline="") as f:
                s.sendmail("b@example.com", ["a@example.com"], f.read(), a.mail_option, a.rcpt_option)
        else:
            s.send_message(msg, mail_options=a.mail_option, rcpt_options=a.rcpt_option)
except smtplib.SMTPAuthenticationError as e:
    print(f"SMTPAuthenticationError: {e.smtp_code} {e.smtp_error!r}", file=sys.stderr)
    sys.exit(3)
