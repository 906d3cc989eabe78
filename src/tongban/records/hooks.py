"""What the archive adds to the engine, registered at start-up (RecordsConfig.ready):
the rule that a case does not go to the next level while a required capture is
missing, and the capture list on the staff case page."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.lib.errors import StateConflict


def hold_until_captured(*, actor, case, act: str) -> None:
    """An approval (to the next level, or to completion) is refused while a required
    item of the case's capture list has no capture, naming them."""
    if act != "approve":
        return
    from tongban.records.plans import missing_required

    missing = missing_required(case)
    if missing:
        raise StateConflict("capture_missing",
                            _("These items of the capture list are not captured; the case cannot go on to the "
                              "next level: %(items)s")
                            % {"items": pgettext("list separator", ", ").join(e["name"] for e in missing)},
                            field="captures", extra={"items": [e["key"] for e in missing]})


def case_panel(request, case) -> str:
    from tongban.records import plans, services
    from tongban.records.forms import CaptureForm

    listing = plans.capture_list(case)
    may_capture = services.capture_refusal(request.user, case) is None
    return render_to_string("records/_case_panel.html", {
        "case": case, "listing": listing, "may_capture": may_capture, "form": CaptureForm(),
        "max_pages": services.MAX_PAGES}, request=request)


def register() -> None:
    from tongban.cases import guards, panels

    guards.register_transition("records.captures", hold_until_captured)
    panels.register("records.captures", case_panel)
