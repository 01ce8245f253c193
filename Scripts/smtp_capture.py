#!/usr/bin/env python3
"""A loopback SMTP server for tests that keeps every message it receives.

Usage: smtp_capture.py HOST PORT MAILDIR

Each accepted message becomes two files in MAILDIR, named by one id:
  <id>.eml   the message exactly as received (raw RFC 5322 bytes)
  <id>.json  {"mail_from", "rcpt_tos", "login", "peer", "received_at"}
The sidecar is written first and each file appears atomically (written under a
dot-name, then renamed), so a test that sees <id>.eml can read <id>.json at once.
Ids sort in arrival order. Files starting with "." are partial; ignore them.

AUTH PLAIN/LOGIN is offered without TLS and accepts any credentials, so an
adapter configured with a username can be tested; the sidecar records the login
name (never the password) so a test can check it was sent.
"""

import itertools
import json
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class MaildirCapture:
    """aiosmtpd handler: one .eml plus one .json sidecar per message."""

    def __init__(self, maildir):
        self.maildir = maildir
        self.sequence = itertools.count(1)

    def _write(self, name, data):
        partial = os.path.join(self.maildir, "." + name)
        with open(partial, "wb") as f:
            f.write(data)
        os.rename(partial, os.path.join(self.maildir, name))

    async def handle_DATA(self, server, session, envelope):
        message_id = "%d-%06d" % (time.time_ns(), next(self.sequence))
        # auth_data is what accept_any_credentials returned: a LoginPassword.
        login = getattr(session.auth_data, "login", None)
        sidecar = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "login": login.decode("utf-8", "replace") if isinstance(login, bytes) else login,
            "peer": list(session.peer) if session.peer else None,
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._write(message_id + ".json", json.dumps(sidecar, indent=1).encode())
        # original_content is the DATA payload before any SMTPUTF8 decoding.
        self._write(message_id + ".eml", envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def accept_any_credentials(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True, auth_data=auth_data)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: smtp_capture.py HOST PORT MAILDIR")
    host, port, maildir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(maildir, exist_ok=True)
    controller = Controller(
        MaildirCapture(maildir),
        hostname=host,
        port=port,
        authenticator=accept_any_credentials,
        auth_require_tls=False,
    )
    controller.start()  # returns once the socket accepts connections
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
