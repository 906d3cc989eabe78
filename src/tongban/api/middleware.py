import json

from django.utils.translation import gettext as _

from tongban.api.errors import MESSAGES, STATUS_CODES

PREFIX = "/api/"


class JsonRefusals:
    """Under /api/, a refusal made before an API handler could shape it (an unknown
    path, a method the path does not take, a NUL refused by RejectNulCharacters, a body
    over the size limit) is answered in the API's JSON shape too, not as a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith(PREFIX) and 400 <= response.status_code < 500
                and not response.get("Content-Type", "").startswith("application/json")):
            status = response.status_code
            message = MESSAGES.get(status, _("The request was refused"))
            body = {"code": STATUS_CODES.get(status, "error"), "message": str(message)}
            response.content = json.dumps(body, ensure_ascii=False).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
        return response
