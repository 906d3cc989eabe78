"""Email through Django's configured email backend (SMTP in production)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, get_connection

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
            raise TransportError(f"收件地址被拒绝：{exc.recipients}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will never take this message; 4xx: try again later
            raise TransportError(f"邮件服务器拒绝（{exc.smtp_code}）：{exc.smtp_error!r}",
                                 permanent=500 <= exc.smtp_code < 600) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"邮件服务器不可用：{exc}") from None
        return message_id
