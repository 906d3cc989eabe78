"""Keep ID numbers out of log files, whoever wrote the log line."""

from __future__ import annotations

import logging

from tongban.lib.masking import contains_id_number, redact_text


class RedactIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if contains_id_number(message):
            record.msg, record.args = redact_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and contains_id_number(record.exc_text):
            record.exc_text = redact_text(record.exc_text)
        return True
