"""`{% load calendar_flags %}{{ case.due_date|calendar_estimate }}`: a warning beside a
deadline that was counted through a year whose national holidays are not entered yet
(Monday to Friday were counted instead), empty otherwise."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from tongban.catalog.workdays import years_without_data

register = template.Library()


@register.filter
def calendar_estimate(due: dt.date | None):
    if not due:
        return ""
    missing = years_without_data(min(due, timezone.localdate()), due)
    if not missing:
        return ""
    years = "、".join(str(y) for y in missing)
    return format_html('<span class="warning" title="{}">（{} 年节假日尚未公布，日期按周一至周五估算）</span>',
                       "节假日公布后以实际工作日为准", years)
