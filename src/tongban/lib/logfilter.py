"""Keep ID numbers out of log files, whoever wrote the log line."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote

from django.utils.log import AdminEmailHandler

from tongban.lib.masking import contains_id_number, redact_text


class RedactIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "%" in message and not contains_id_number(message):
            # a request line may carry the number percent-encoded (…%58 for its X, or every digit)
            decoded = unquote(message)
            if contains_id_number(decoded):
                message = decoded
        if contains_id_number(message):
            record.msg, record.args = redact_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and contains_id_number(record.exc_text):
            record.exc_text = redact_text(record.exc_text)
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is the production server only
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's own logs (the access log writes every request line, query and
        Referer included) with ID numbers masked: `gunicorn --logger-class
        tongban.lib.logfilter.GunicornLogger` (scripts/serve). gunicorn's loggers do
        not go through Django's LOGGING."""

        def setup(self, cfg):
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                if not any(isinstance(f, RedactIdNumbers) for f in log.filters):
                    log.addFilter(RedactIdNumbers())


class RedactedAdminEmailHandler(AdminEmailHandler):
    """Django's error mail to ADMINS, its whole text masked: the report carries the request's
    GET and POST data and the traceback's local variables, where an ID number may be."""

    def send_mail(self, subject, message, *args, **kwargs):
        kwargs.pop("html_message", None)  # the HTML copy repeats all of it, unmasked
        super().send_mail(redact_text(subject), redact_text(message), *args, **kwargs)


def scrub_event(event: Any, hint: Any = None) -> Any:
    """Sentry's before_send: the event with anything shaped like an ID number masked."""
    return json.loads(redact_text(json.dumps(event, ensure_ascii=False, default=str)))
