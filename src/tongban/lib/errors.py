"""The project's one error type.

A service raises ApplicationError with a stable code, a message for people (gettext: Chinese on the page), and
optionally the field (and row, for imports) it is about. The edge turns it into a form
error, an API answer with the code (409 for state, 422 for input, 403 for permission),
or a command's exit status.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status = 422

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        row: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        message = str(message)  # a lazy translation becomes the text of the active language
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.row = row
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.row is not None:
            data["row"] = self.row
        data.update(self.extra)
        return data


class NotAllowed(ApplicationError):
    """The actor may not do this here. Distinct from Django's so a service can say why."""

    status = 403


class StateConflict(ApplicationError):
    """The object is not in a state that allows this transition."""

    status = 409
