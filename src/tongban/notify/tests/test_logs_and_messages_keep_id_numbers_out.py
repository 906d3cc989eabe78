"""Log lines never carry a raw ID number, whoever writes them (every message written
during the suite is also scanned: see the root conftest)."""

import io
import logging

from tongban.lib.logfilter import RedactIdNumbers


def test_a_log_line_with_an_id_number_is_masked_by_the_configured_handler():
    (console,) = [h for h in logging.getLogger().handlers if any(
        isinstance(f, RedactIdNumbers) for f in h.filters)]
    out = io.StringIO()
    old = console.setStream(out)
    try:
        logging.getLogger("tongban.anything").warning("lookup of %s failed", "11010519491231002X")
    finally:
        console.setStream(old)
    assert out.getvalue() == "lookup of 110105********002X failed\n"


def test_an_exception_text_is_masked_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), None)
    try:
        raise ValueError("bad id 11010519491231002X")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactIdNumbers().filter(record)
    assert "11010519491231002X" not in record.exc_text and "110105********002X" in record.exc_text
