"""Template text: `{variable}` placeholders and nothing else (no attribute access, no
format specs, no code), so a service admin can edit wording without being able to
reach into the context. Text is checked when it is saved, against the variables the
event declares: a typo is refused then, never discovered when a message is sent."""

from __future__ import annotations

import string

from tongban.lib.errors import ApplicationError

_formatter = string.Formatter()


def placeholders(text: str, *, field: str) -> list[str]:
    """The variable names `text` uses, in order; malformed text is refused."""
    names = []
    try:
        parsed = list(_formatter.parse(text))
    except ValueError as exc:
        raise ApplicationError("template_syntax", f"花括号不成对：{exc}", field=field) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ApplicationError(
                "template_syntax", f"占位符 {{{name}}} 只能是变量名，如 {{name}}", field=field)
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
            raise ApplicationError("template_syntax", f"第 {number} 行应为“参数名=内容”", field=field)
        params[key] = value.strip()
    return params


def check(text: str, variables: dict[str, str], *, field: str) -> None:
    unknown = [name for name in placeholders(text, field=field) if name not in variables]
    if unknown:
        allowed = "、".join(f"{{{v}}}" for v in variables) or "无"
        raise ApplicationError(
            "template_unknown_variable", f"未知变量 {{{unknown[0]}}}；可用变量：{allowed}", field=field)


def render(text: str, context: dict) -> str:
    return text.format_map(context)
