"""A tiny receiver for trying webhooks out: it listens, verifies each delivery's
Standard Webhooks signature with the subscription's secret, and prints the event.

    tongban webhook-receiver --port 9000 --secret whsec_…

Subscribe a client to http://127.0.0.1:9000/ on the workbench, and watch the events come.
A delivery whose signature or timestamp does not hold is answered 400 and printed as such."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Command(BaseCommand):
    help = "Listen for webhooks, verify their signatures and print them"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--secret", required=True, help="the subscription's signing secret (whsec_…)")

    def handle(self, *args, port: int, secret: str, **options):
        verifier, out = Webhook(secret), self.stdout

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = verifier.verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    out.write(_("refused (%(why)s): %(id)s") % {"why": exc, "id": self.headers.get("webhook-id")})
                    self.send_response(400)
                else:
                    out.write(json.dumps(event, ensure_ascii=False, indent=2))
                    # a pushed result is acknowledged the way a gate system would: with
                    # its own reference, which tongban notes on the case
                    answer = json.dumps({"accepted": True, "reference": self.headers.get("webhook-id", "")})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(answer.encode())
                    return
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        out.write(_("Listening on http://127.0.0.1:%(port)s/ (Ctrl-C stops)") % {"port": port})
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
