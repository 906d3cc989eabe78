# The case fixtures of cases' tests: a published service and a submitted case make real events.
from tongban.cases.tests.conftest import _media_in_tmp, academic, certificate_service, submitted  # noqa: F401
