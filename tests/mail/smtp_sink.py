#!/usr/bin/python3
"""SMTP sink for Portcullis's mail tests (Debian's python3-aiosmtpd; run with /usr/bin/python3).

  smtp_sink.py --port 0 --dir D [--tls-cert F --tls-key K [--implicit-tls]] [--auth USER:PASS]

Listens on 127.0.0.1 (port 0: a free one) and prints "READY <port>" once listening. Each message
is written to D/<n>.eml (the raw bytes) with D/<n>.json beside it: the envelope (mail_from,
rcpt_tos), the AUTH login (null if none), and the message as Python's email parser reads it
(decoded From/To/Subject, text and html bodies), so the tests check the MIME with an independent
parser. Both files are written before the 250 reply. --tls-cert/--tls-key offer STARTTLS and
require it (with --implicit-tls: TLS from the first byte, as SMTPS on port 465); --auth requires
AUTH PLAIN/LOGIN (after STARTTLS when STARTTLS is offered). Runs until killed or until stdin is
closed.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        text = parsed.get_body(("plain",))
        html = parsed.get_body(("html",))
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
            "from": str(parsed["From"]),
            "to": str(parsed["To"]),
            "subject": str(parsed["Subject"]),
            "content_type": parsed.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        # The .json last, each through a rename: a reader that sees <n>.json sees both whole.
        for path, data in ((base + ".eml", raw), (base + ".json", json.dumps(info).encode())):
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)
        return "250 OK"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        # handled=False on failure, or aiosmtpd sends no reply at all (the default, True, means
        # "the authenticator answered") and the client hangs.
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)
    return authenticate


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    args = parser.parse_args()
    # aiosmtpd warns about its own use of a deprecated attribute on every AUTH, and logs a
    # traceback for every failed TLS handshake (which some tests cause on purpose).
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    # ... and about AUTH without STARTTLS, which is what --implicit-tls (or no TLS) asks for.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.get_running_loop()
    kwargs = {"hostname": "localhost", "loop": loop}
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    starttls = context is not None and not args.implicit_tls
    if starttls:
        kwargs.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs.update(authenticator=make_authenticator(user, password), auth_required=True,
                      auth_require_tls=starttls)
    handler = Handler(args.dir)
    server = await loop.create_server(lambda: SMTP(handler, **kwargs), "127.0.0.1", args.port,
                                      ssl=context if args.implicit_tls else None)

    stop = asyncio.Event()
    # Exit when the parent closes our stdin (or dies), so a crashed test leaves no sink behind.
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)),
                     daemon=True).start()
    print("READY", server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
