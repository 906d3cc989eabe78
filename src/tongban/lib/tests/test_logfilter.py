"""ID numbers never reach a log file: Django's request logs (django.request,
django.server) and gunicorn's access log mask anything shaped like one."""

import io
import logging
from types import SimpleNamespace

import pytest

from tongban.lib.logfilter import GunicornLogger

NUMBER = "110105200503140021"


def _written_by(logger_name: str, message: str, *args) -> str:
    """What the handlers the logger's records reach write for one record."""
    logger, streams, swapped = logging.getLogger(logger_name), [], []
    current = logger
    while current is not None:
        for handler in current.handlers:
            if isinstance(handler, logging.StreamHandler):
                stream = io.StringIO()
                swapped.append((handler, handler.setStream(stream)))
                streams.append(stream)
        current = current.parent if current.propagate else None
    try:
        logger.warning(message, *args)
    finally:
        for handler, old in swapped:
            handler.setStream(old)
    assert streams, f"{logger_name} writes nowhere"
    return "".join(s.getvalue() for s in streams)


@pytest.mark.parametrize("name", ["django.server", "django.request", "django", "tongban.anything"])
def test_django_request_logs_mask_an_id_number_in_the_url(name):
    written = _written_by(name, '"GET /admin/people/person/?q=%s HTTP/1.1" 200 1234', NUMBER)
    assert NUMBER not in written and "110105********0021" in written


def test_gunicorns_access_log_masks_an_id_number_in_the_request_line_and_referer():
    cfg = SimpleNamespace(
        errorlog="-", accesslog="-", loglevel="info", syslog=False, logconfig=None, logconfig_dict={},
        logconfig_json=None, access_log_format='%(h)s "%(r)s" %(s)s "%(f)s"', capture_output=False,
        disable_redirect_access_to_syslog=False, user=0, group=0, env={}, raw_env=[], umask=0, dogstatsd_tags="",
        statsd_host=None, statsd_prefix="")
    log = GunicornLogger(cfg)
    stream = io.StringIO()
    for handler in log.access_log.handlers:
        handler.setStream(stream)
    log.access_log.info(cfg.access_log_format, {"h": "10.0.0.1", "r": f"GET /workbench/people/?q={NUMBER} HTTP/1.1",
                                                  "s": "200", "f": f"https://x.example/?id={NUMBER}"})
    assert NUMBER not in stream.getvalue() and "110105********0021" in stream.getvalue()


@pytest.mark.parametrize("sent", ["11010520050314002%58", "%31%31%30%31%30%35200503140021"])
def test_an_id_number_sent_percent_encoded_is_masked_too(sent):
    written = _written_by("django.server", '"GET /people/?q=%s HTTP/1.1" 200 10', sent)
    assert "200503140" not in written.replace("%", "") and "110105********" in written
