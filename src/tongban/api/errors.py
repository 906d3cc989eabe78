"""The API's refusals by status, where no service named the reason."""

from django.utils.translation import gettext_lazy as _

STATUS_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found", 405: "not_allowed",
                409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many"}
MESSAGES = {400: _("The request is not well formed"), 401: _("Please sign in first."), 403: _("Not permitted"),
            404: _("Not found, or not yours"), 405: _("This method is not supported"),
            413: _("The request is too large"), 429: _("Too many requests, please try again later")}
CSRF_MESSAGE = _("The CSRF token is missing or wrong: put the value of the csrftoken cookie (or the csrf_token "
                 "that /api/v1/me gives) in the X-CSRFToken request header")
