"""Email through Django's configured email backend (SMTP in production)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from tongban.notify.transports import Outgoing, Transport, TransportError


class EmailTransport(Transport):
    channel = "email"

    def send(self, outgoing: Outgoing) -> str:
        body = outgoing.body
        if outgoing.link:
            body = f"{body}\n\n{outgoing.link}"
        mail = EmailMessage(subject=outgoing.subject, body=body, to=[outgoing.address],
                            connection=get_connection(fail_silently=False))
        message_id = f"<tongban.{outgoing.message_id}@notify>"
        mail.extra_headers["Message-ID"] = message_id
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            # One recipient per message. 5xx (no such mailbox) will not change; 4xx
            # (greylisting, a full or busy mailbox) usually does a little later.
            [(code, reply)] = exc.recipients.values()
            raise TransportError(_("The address was refused (%(code)s): %(reply)s") % {"code": code,
                                                                                       "reply": _text(reply)},
                                 permanent=_final(code)) from None
        except smtplib.SMTPDataError as exc:
            # The server read this message and refused it: 5xx is its final word on it.
            raise TransportError(_("The mail server refused (%(code)s): %(reply)s") % {
                "code": exc.smtp_code, "reply": _text(exc.smtp_error)},
                                 permanent=_final(exc.smtp_code)) from None
        except smtplib.SMTPResponseException as exc:
            # Refused before this message was looked at (greeting, HELO, login, sender):
            # the server or our settings are wrong and every message fails alike until
            # an admin fixes them, so none is given up over it (as with WeChat's token).
            raise TransportError(_("The mail server refused (%(code)s): %(reply)s") % {
                "code": exc.smtp_code, "reply": _text(exc.smtp_error)}) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(_("The mail server is unavailable: %(error)s") % {"error": exc}) from None
        return message_id


def _final(code: int) -> bool:
    return 500 <= code < 600


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
