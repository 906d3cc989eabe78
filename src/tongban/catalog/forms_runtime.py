"""A frozen form, as data: which fields and materials apply to a set of answers, the
applicant's prefill, and checking answers before submission."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tongban.catalog import conditions
from tongban.catalog.models import FieldType, Prefill
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber

PHONE = re.compile(r"^1[3-9]\d{9}$")
MAX_DIGITS = 15  # a number answer's integer digits at most


def field_keys(config: dict) -> set[str]:
    return {f["key"] for f in config["fields"]}


def unknown_answer(config: dict, answers) -> None:
    """Refuses an answer to a field the form does not have, naming it (for callers that
    send their own keys, the API: a typo should not vanish; the pages send only the
    form's fields and keep what else is posted out of the answers)."""
    keys = field_keys(config)
    for key in answers:
        if key not in keys:
            raise ApplicationError("unknown_field", _("The form has no field \"%(key)s\"") % {"key": key},
                                   field=str(key))


def visible_fields(config: dict, answers: dict) -> list[dict]:
    return [f for f in config["fields"] if conditions.parse(f["visible_if"]).evaluate(answers)]


def applicable_materials(config: dict, answers: dict) -> list[dict]:
    return [m for m in config["materials"] if conditions.parse(m["condition"]).evaluate(answers)]


def prefill(config: dict, person) -> dict:
    """Answers taken from the applicant's person record for fields that ask for it."""
    if person is None:
        return {}
    # each value taken only when a field asks for it (decrypting, the unit's row)
    values = {
        Prefill.NAME: lambda: person.name,
        Prefill.ID_NUMBER: person.plain_id_number,
        Prefill.STUDENT_NUMBER: lambda: person.student_number,
        Prefill.COLLEGE: lambda: person.org_unit.name if person.org_unit_id else "",
        Prefill.PHONE: person.plain_phone,
        Prefill.CATEGORY: person.get_category_display,
        Prefill.ENROLMENT_YEAR: lambda: person.enrolment_year or "",
        Prefill.GENDER: person.get_gender_display,
        Prefill.BIRTH_DATE: lambda: person.birth_date.isoformat() if person.birth_date else "",
    }
    taken = {f["key"]: values[f["prefill"]]() for f in config["fields"] if f["prefill"] in values}
    return {key: value for key, value in taken.items() if value}


# The prefills that are the person's identity: taken from the record the case is
# about, shown read-only, never changed by what a form or the API sends (the phone
# is a contact, the applicant's to give).
IDENTITY = (Prefill.NAME, Prefill.ID_NUMBER, Prefill.STUDENT_NUMBER, Prefill.COLLEGE, Prefill.CATEGORY,
            Prefill.ENROLMENT_YEAR, Prefill.GENDER, Prefill.BIRTH_DATE)


def identity(config: dict, person) -> dict[str, object]:
    """The answers `person`'s record fixes, in their stored form: each field prefilled
    with an identity kind that the record holds a value for (one it does not hold is
    left to the applicant)."""
    fields = {f["key"]: f for f in config["fields"] if f["prefill"] in IDENTITY}
    if person is None or not fields:
        return {}
    return {key: clean_value(fields[key], value) for key, value in prefill(config, person).items() if key in fields}


def clean_value(field: dict, raw) -> object:
    """One answer in its stored form; ApplicationError naming the field if it is bad."""
    label, kind = field["label"], field["type"]
    if isinstance(raw, bool):  # true/false from the API's JSON: a yes/no field's answer only
        if kind != FieldType.YESNO:
            raise ApplicationError("invalid", _("%(label)s: wrong type") % {"label": label}, field=field["key"])
        return "是" if raw else "否"  # i18n: data (the stored answers)
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return ""
    if len(text) > 2000:
        raise ApplicationError("invalid", _("%(label)s is too long") % {"label": label}, field=field["key"])
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ApplicationError("invalid", _("%(label)s should be a number") % {"label": label},
                                   field=field["key"]) from None
        # NaN, infinity and numbers past 15 digits are no answer (nor storable as JSON)
        if not number.is_finite() or number.adjusted() >= MAX_DIGITS:
            raise ApplicationError("invalid", _("%(label)s should be a number of at most %(digits)s digits")
                                   % {"label": label, "digits": MAX_DIGITS}, field=field["key"])
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldType.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ApplicationError("invalid", _("%(label)s should be a date, such as 2026-09-01") % {"label": label},
                                   field=field["key"]) from None
    if kind == FieldType.CHOICE and text not in field["options"]:
        raise ApplicationError("invalid", _("%(label)s can only be one of the options") % {"label": label},
                               field=field["key"])
    if kind == FieldType.YESNO and text not in ("是", "否"):  # i18n: data
        raise ApplicationError("invalid", _("%(label)s: please choose \"yes\" or \"no\"") % {"label": label},
                               field=field["key"])
    if kind == FieldType.ID_NUMBER:
        try:
            return idnumber.parse(text).number
        except ApplicationError as exc:
            raise ApplicationError("invalid", _("%(label)s: %(error)s") % {"label": label, "error": exc.message},
                                   field=field["key"]) from None
    if kind == FieldType.PHONE and not PHONE.match(text):
        raise ApplicationError("invalid", _("%(label)s should be an 11-digit mobile number") % {"label": label},
                               field=field["key"])
    return text


SECRET_TYPES = (FieldType.ID_NUMBER, FieldType.PHONE)


def split_secrets(config: dict, answers: dict) -> tuple[dict, dict]:
    """ID and phone numbers are kept apart, to be stored encrypted; the answers keep
    their masked form (what every page shows)."""
    from tongban.lib.masking import mask_id_number, mask_phone

    secret_keys = {f["key"]: f["type"] for f in config["fields"] if f["type"] in SECRET_TYPES}
    shown, secrets = {}, {}
    for key, value in answers.items():
        if key in secret_keys and value:
            secrets[key] = value
            mask = mask_id_number if secret_keys[key] == FieldType.ID_NUMBER else mask_phone
            shown[key] = mask(str(value))
        else:
            shown[key] = value
    return shown, secrets


def clean_answers(config: dict, raw: dict, *, complete: bool) -> dict:
    """The answers to keep: only the form's own fields, each cleaned; with `complete`,
    every visible required field must be answered (a hidden one is dropped)."""
    answers = {f["key"]: clean_value(f, raw.get(f["key"])) for f in config["fields"]
               if f["type"] != FieldType.FILE and f["key"] in raw}
    if complete:
        shown = visible_fields(config, answers)
        keys = {f["key"] for f in shown}
        answers = {k: v for k, v in answers.items() if k in keys}
        for f in shown:
            if f["required"] and f["type"] != FieldType.FILE and answers.get(f["key"], "") == "":
                raise ApplicationError("required", _("Please fill in %(label)s") % {"label": f["label"]},
                                       field=f["key"])
    return answers


def answer_rows(config: dict, answers: dict) -> list[tuple[str, object]]:
    """(label, answer) in the form's order, for the fields that were answered."""
    return [(f["label"], answers[f["key"]]) for f in config["fields"] if f["key"] in answers]
