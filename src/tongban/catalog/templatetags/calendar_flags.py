"""`{% load calendar_flags %}{{ case.due_date|calendar_estimate }}`: a warning beside a
deadline that was counted through a year whose national holidays are not entered yet
(Monday to Friday were counted instead), empty otherwise."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from tongban.catalog.workdays import years_without_data

register = template.Library()


@register.filter
def calendar_estimate(due: dt.date | None):
    if not due:
        return ""
    missing = years_without_data(min(due, timezone.localdate()), due)
    if not missing:
        return ""
    years = pgettext("list separator", ", ").join(str(y) for y in missing)
    return format_html('<span class="warning" title="{}">{}</span>',
                       gettext("Once the holidays are published, the real working days count"),
                       gettext("(the holidays of %(years)s are not published yet: the date is estimated as Monday "
                               "to Friday)") % {"years": years})
