"""Template text: `{variable}` placeholders and nothing else (no attribute access, no
format specs, no code), so a service admin can edit wording without being able to
reach into the context. Text is checked when it is saved, against the variables the
event declares: a typo is refused then, never discovered when a message is sent."""

from __future__ import annotations

import string

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.lib.errors import ApplicationError

_formatter = string.Formatter()


def placeholders(text: str, *, field: str) -> list[str]:
    """The variable names `text` uses, in order; malformed text is refused."""
    names = []
    try:
        parsed = list(_formatter.parse(text))
    except ValueError as exc:
        raise ApplicationError("template_syntax", _("Unmatched braces: %(error)s") % {"error": exc},
                               field=field) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ApplicationError(
                "template_syntax", _("The placeholder %(placeholder)s can only be a variable name, like {name}") % {
                    "placeholder": f"{{{name}}}"}, field=field)
        names.append(name)
    return names


def parse_params(text: str, *, field: str) -> dict[str, str]:
    """SMS and WeChat bodies: one `param=text` per line (the provider's template
    parameters); blank lines are ignored."""
    params: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ApplicationError("template_syntax",
                                   _("Line %(number)s should be “parameter=text”") % {"number": number}, field=field)
        params[key] = value.strip()
    return params


def check(text: str, variables: dict[str, str], *, field: str) -> None:
    unknown = [name for name in placeholders(text, field=field) if name not in variables]
    if unknown:
        allowed = pgettext("list separator", ", ").join(f"{{{v}}}" for v in variables) or _("none")
        raise ApplicationError(
            "template_unknown_variable", _("Unknown variable %(variable)s; available variables: %(allowed)s") % {
                "variable": f"{{{unknown[0]}}}", "allowed": allowed}, field=field)


def render(text: str, context: dict) -> str:
    return text.format_map(context)
