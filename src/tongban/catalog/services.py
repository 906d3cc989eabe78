"""Publishing a service: the draft (item, materials, form fields, steps) is checked as
a whole and frozen into a new ServiceVersion. A bad configuration is refused with a
message naming the table and row, and nothing is published; so is a workflow with a
step nobody could handle (catalog.holders).

Every other change of catalog data the back office makes (a service's draft, its
rows, a unit's closures, the national calendar) is one act here too, scoped to the
actor's units and on the trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tongban.accounts.access import authorize, scope_of
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action, Role
from tongban.audit.services import record
from tongban.catalog import conditions, holders, listeners, workdays
from tongban.catalog.models import (
    CalendarDay,
    CalendarYear,
    Closure,
    FieldType,
    FormField,
    Material,
    ServiceItem,
    ServiceVersion,
    Step,
    UnitRule,
)
from tongban.lib.errors import ApplicationError, NotAllowed

# the draft's tables, as the refusals and the trail name them
FIELDS = gettext_lazy("Form fields")
MATERIALS = gettext_lazy("Materials")
STEPS = gettext_lazy("Approval steps")
FILE_TYPES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"}
GUIDE_FIELDS = ("conditions", "process", "promised_days", "statutory_days", "legal_basis", "fee", "visits",
                "place_hours", "enquiry_phone", "complaint", "faq")


def _refuse(table: str, row: int, what: str, message: str) -> ApplicationError:
    table = str(table)
    return ApplicationError("bad_configuration", _("%(table)s row %(row)s (%(what)s): %(message)s")
                            % {"table": table, "row": row, "what": what, "message": message}, field=table, row=row)


def _check_condition(text: str, known: set[str], table: str, row: int, what: str) -> None:
    try:
        conditions.check(text, known)
    except conditions.ConditionError as exc:
        raise _refuse(table, row, what, exc.message) from None


def _visibility_loop(fields: list[FormField]) -> list[str] | None:
    """A cycle of fields whose visibility depends on each other, if there is one."""
    depends = {f.key: set(conditions.parse(f.visible_if).names) for f in fields}
    state: dict[str, int] = {}

    def visit(key: str, trail: list[str]) -> list[str] | None:
        state[key] = 1
        for other in depends.get(key, ()):
            if state.get(other) == 1:
                return [*trail[trail.index(other):], other] if other in trail else [key, other]
            if other in depends and other not in state and (loop := visit(other, [*trail, other])):
                return loop
        state[key] = 2
        return None

    for key in depends:
        if key not in state and (loop := visit(key, [key])):
            return loop
    return None


def check_draft(item: ServiceItem) -> dict:
    """Check the whole draft; return the configuration to freeze. Each aspect of the
    draft is one step, in the order a service admin fills them in; the first refusal
    stops the check (ApplicationError naming the table and row)."""
    fields = list(item.fields.all())
    materials = list(item.materials.all())
    steps = list(item.steps.all())
    known = {f.key for f in fields}
    _check_fields(fields, known)
    _check_visibility(fields)
    _check_materials(materials, known)
    _check_effect(item, steps)
    _check_steps(steps, known)
    return _frozen_config(item, fields, materials, steps)


def _check_fields(fields: list[FormField], known: set[str]) -> None:
    """Each form field: a usable key, options for a choice, a condition on other fields."""
    for n, f in enumerate(fields, start=1):
        if not f.key.isidentifier():
            raise _refuse(FIELDS, n, f.key,
                          _("A field code has only letters, digits and underscores, and does not start "
                            "with a digit"))
        if f.type == FieldType.CHOICE and not f.option_list():
            raise _refuse(FIELDS, n, f.key, _("A single-choice field needs at least one option"))
        _check_condition(f.visible_if, known - {f.key}, FIELDS, n, f.key)


def _check_visibility(fields: list[FormField]) -> None:
    """No fields whose showing depends on each other in a circle."""
    if loop := _visibility_loop(fields):
        raise ApplicationError("bad_configuration", _("The form fields' conditions for showing depend on each other: "
                                                      "%(loop)s") % {"loop": " → ".join(loop)}, field=str(FIELDS))


def _file_types(material: Material) -> set[str]:
    return {t.strip().lower() for t in material.file_types.split(",") if t.strip()}


def _check_materials(materials: list[Material], known: set[str]) -> None:
    """Each material: a condition on the fields, known file types, room for a file."""
    for n, m in enumerate(materials, start=1):
        _check_condition(m.condition, known, MATERIALS, n, m.key)
        types = _file_types(m)
        if not types or types - FILE_TYPES:
            raise _refuse(MATERIALS, n, m.key, _("File types can only be %(types)s")
                          % {"types": ", ".join(sorted(FILE_TYPES))})
        if m.max_files < 1:
            raise _refuse(MATERIALS, n, m.key, _("Most files is at least 1"))


def _check_effect(item: ServiceItem, steps: list[Step]) -> None:
    """The effect run on completion is registered; a service without steps has one."""
    if item.effect and item.effect not in effect_names():
        raise ApplicationError("bad_configuration", _("No effect on completion is named %(name)s")
                               % {"name": item.effect}, field="effect")
    if not steps and not item.effect:
        # A service with no step completes on submission (即办): only worth having when
        # completing does something, such as keeping a signed confirmation.
        raise ApplicationError("bad_configuration",
                               _("At least one approval step is needed (a service completed at once, without "
                                                      "approval, needs an effect on completion)"), field=str(STEPS))


def _check_steps(steps: list[Step], known: set[str]) -> None:
    """Each step: a staff role, the unit it is sent to can be found, a skip condition."""
    first_stage = min((s.stage for s in steps), default=1)
    for n, s in enumerate(steps, start=1):
        if not s.role:
            raise _refuse(STEPS, n, s.key, _("No handling role chosen"))
        if s.role in (Role.AUXILIARY, Role.APPLICANT):
            raise _refuse(STEPS, n, s.key, _("Auxiliary staff and applicants cannot handle approval steps"))
        if s.unit_rule == UnitRule.FIXED and s.unit_id is None:
            raise _refuse(STEPS, n, s.key, _("\"Fixed unit\" needs a unit chosen"))
        if s.unit_rule in (UnitRule.PARENT_OF_PREVIOUS, UnitRule.SAME_AS_PREVIOUS) and s.stage == first_stage:
            raise _refuse(STEPS, n, s.key, _("A step of the first stage has no \"previous step\""))
        _check_condition(s.skip_if, known, STEPS, n, s.key)


def _frozen_config(item: ServiceItem, fields: list[FormField], materials: list[Material],
                   steps: list[Step]) -> dict:
    """The checked draft as the plain data a ServiceVersion keeps."""
    stages: dict[int, list[dict]] = {}
    for s in steps:
        stages.setdefault(s.stage, []).append({
            "key": s.key, "name": s.name, "role": s.role, "unit_rule": s.unit_rule, "unit_id": s.unit_id,
            "needs_signature": s.needs_signature, "time_limit_days": s.time_limit_days, "skip_if": s.skip_if})
    return {
        "item": {"id": item.pk, "code": item.code, "name": item.name, "category": item.category,
                 "org_unit_id": item.org_unit_id, "serial_prefix": item.serial_prefix,
                 "needs_acceptance": item.needs_acceptance, "effect": item.effect,
                 "booking_required": item.booking_required,
                 "audience": item.audience, "ways": item.ways,
                 "guide": {k: getattr(item, k) for k in GUIDE_FIELDS}},
        "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                    "options": f.option_list(), "help": f.help, "visible_if": f.visible_if, "prefill": f.prefill}
                   for f in fields],
        "materials": [{"key": m.key, "name": m.name, "description": m.description, "sample": m.sample,
                       "required": m.required, "core": m.core, "condition": m.condition,
                       "file_types": sorted(_file_types(m)), "max_files": m.max_files} for m in materials],
        "stages": [stages[k] for k in sorted(stages)],
    }


def effect_names() -> set[str]:
    from tongban.catalog.effects import registered

    return set(registered())


def publish(*, actor: User | None, item: ServiceItem) -> ServiceVersion:
    """Freeze the draft as the next version and make it the one new applications use.
    Refuses a bad configuration (ApplicationError naming table and row) and a
    workflow with a step that, in a unit it can be sent to, nobody holds the role of
    (naming the step and the unit). Cases already submitted keep the version they
    were submitted under."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        config = check_draft(item)
        if gaps := holders.unheld_steps(config):
            message = pgettext("list separator", "; ").join(gap.message for gap in gaps[:3])
            if len(gaps) > 3:
                message = _("%(gaps)s (and %(more)s more)") % {"gaps": message, "more": len(gaps) - 3}
            raise ApplicationError("step_without_holder", message, field=str(STEPS), extra={"step": gaps[0].step_key,
                                                                                            "unit": gaps[0].unit.code})
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ServiceVersion.objects.create(item=item, number=number, config=config, published_by=actor)
        item.current_version = version
        item.is_published = True
        item.save(update_fields=["current_version", "is_published", "updated_at"])
        record(actor=actor, action="catalog.publish", obj=item, summary=_("Published version %(number)s of %(name)s")
               % {"number": number, "name": item.name},
               details={"version": number, "steps": sum(len(s) for s in config["stages"]),
                        "fields": len(config["fields"]), "materials": len(config["materials"])})
        listeners.changed(item)
    return version


def unpublish(*, actor: User | None, item: ServiceItem) -> ServiceItem:
    """Stop new applications; cases in flight go on under their version."""
    if actor is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        item.is_published = False
        # saved, not updated by a queryset: the save tells the processes' caches
        # (lib/configcache) that the service is gone
        item.save(update_fields=["is_published", "updated_at"])
        record(actor=actor, action="catalog.unpublish", obj=item, summary=_("Unpublished %(name)s")
               % {"name": item.name})
        listeners.changed(item)
    return item



def live_gaps() -> list[tuple[ServiceItem, list[holders.Gap]]]:
    """The published services whose current version has a step nobody could handle
    (the people or the memberships changed since it was published)."""
    from tongban.catalog.selectors import version_config

    found = []
    for item in (ServiceItem.objects.filter(is_published=True, current_version__isnull=False)
                 .select_related("org_unit").order_by("code")):
        if gaps := holders.unheld_steps(version_config(item.current_version_id)):
            found.append((item, gaps))
    return found


# ---- the back office's writes -------------------------------------------------------

DRAFT_ROWS = {FormField: FIELDS, Material: MATERIALS, Step: STEPS}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _changes(obj: models.Model, old: models.Model | None, fields: list[str]) -> dict:
    """{field: [old, new]} for the named model fields (a foreign key by its id)."""
    out = {}
    for name in fields:
        try:
            attname = obj._meta.get_field(name).attname
        except FieldDoesNotExist:  # a form field that is not a model field
            continue
        out[name] = [_plain(getattr(old, attname)) if old is not None else None, _plain(getattr(obj, attname))]
    return out


def save_item(*, actor: User, item: ServiceItem, changed: list[str]) -> ServiceItem:
    """Save a service's draft (its guide and settings; the published version is not
    touched: publishing freezes a new one). The actor manages the catalog in the
    service's unit, before and after the change (moving a service to a unit of one's
    own does not take it from another's). On the trail with the fields' old and new
    values."""
    old = ServiceItem.objects.filter(pk=item.pk).select_related("org_unit").first() if item.pk else None
    if old is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=old.org_unit)
    authorize(actor, Action.CATALOG_MANAGE, unit=OrgUnit.objects.get(pk=item.org_unit_id))
    with transaction.atomic():
        item.save()
        record(actor=actor, action="catalog.item_create" if old is None else "catalog.item_change", obj=item,
               summary=(_("Created %(name)s") if old is None else _("Changed %(name)s")) % {"name": item.name},
               details={"changes": _changes(item, old, changed)})
    return item


def delete_item(*, actor: User, item: ServiceItem) -> None:
    """Delete a service never published (a published one keeps its versions, which
    cases point at: unpublish it instead)."""
    authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    if item.versions.exists():
        raise ApplicationError("published_before",
                               _("%(name)s was published before and cannot be deleted: unpublish it.")
                               % {"name": item.name})
    with transaction.atomic():
        record(actor=actor, action="catalog.item_delete", obj=item, summary=_("Deleted %(name)s") % {"name": item.name},
               details={"code": item.code})
        item.delete()


def save_draft_rows(*, actor: User, item: ServiceItem, saved: list[tuple[models.Model, list[str]]],
                    deleted: list[models.Model]) -> None:
    """Save and delete rows of a service's draft (form fields, materials, steps) in one
    act: each row must belong to `item`, in a unit the actor manages. One trail entry
    naming each row's key and what changed."""
    authorize(actor, Action.CATALOG_MANAGE, unit=item.org_unit)
    rows = [obj for obj, _ in saved] + list(deleted)
    if not rows:
        return
    for obj in rows:
        if type(obj) not in DRAFT_ROWS or obj.item_id != item.pk:
            raise NotAllowed("permission_denied",
                                   _("Only this service's form fields, materials and steps can be changed."))
    old = {(type(o), o.pk): o for model in DRAFT_ROWS
           for o in model.objects.filter(pk__in=[r.pk for r in rows if type(r) is model and r.pk])}
    stale = [o for o in deleted if (type(o), o.pk) not in old] + [
        o for o, _ in saved if o.pk and (type(o), o.pk) not in old]
    if stale or any(o.item_id != item.pk for o in old.values()):
        raise NotAllowed("permission_denied",
                               _("Only this service's form fields, materials and steps can be changed."))
    details: list[dict] = []
    with transaction.atomic():
        for obj, fields in saved:
            before = old.get((type(obj), obj.pk)) if obj.pk else None
            obj.save()
            details.append({"table": str(DRAFT_ROWS[type(obj)]), "key": obj.key,
                            "act": "change" if before else "add", "changes": _changes(obj, before, fields)})
        for obj in deleted:
            details.append({"table": str(DRAFT_ROWS[type(obj)]), "key": obj.key, "act": "delete"})
            obj.delete()
        record(actor=actor, action="catalog.draft_rows", obj=item,
               summary=_("Changed the draft of %(name)s (%(rows)s rows)") % {"name": item.name, "rows": len(details)},
               details={"rows": details})


def save_closure(*, actor: User, closure: Closure, changed: list[str]) -> Closure:
    """Save a unit's closure: the actor manages the catalog in its unit, before and
    after the change. Deadlines in that unit and below count without those days."""
    old = Closure.objects.filter(pk=closure.pk).select_related("org_unit").first() if closure.pk else None
    if old is not None:
        authorize(actor, Action.CATALOG_MANAGE, unit=old.org_unit)
    authorize(actor, Action.CATALOG_MANAGE, unit=OrgUnit.objects.get(pk=closure.org_unit_id))
    if closure.end < closure.start:
        raise ApplicationError("bad_range", _("The end date cannot be before the start date"), field="end")
    with transaction.atomic():
        closure.save()
        record(actor=actor, action="catalog.closure_save", obj=closure,
               summary=(_("Changed a closure: %(unit)s %(start)s–%(end)s") if old else
                        _("Added a closure: %(unit)s %(start)s–%(end)s"))
               % {"unit": closure.org_unit.name, "start": closure.start, "end": closure.end},
               details={"changes": _changes(closure, old, changed)})
    return closure


def delete_closure(*, actor: User, closure: Closure) -> None:
    authorize(actor, Action.CATALOG_MANAGE, unit=closure.org_unit)
    with transaction.atomic():
        record(actor=actor, action="catalog.closure_delete", obj=closure,
               summary=_("Deleted a closure: %(unit)s %(start)s–%(end)s")
               % {"unit": closure.org_unit.name, "start": closure.start, "end": closure.end},
               details={"start": closure.start.isoformat(), "end": closure.end.isoformat(),
                        "reason": closure.reason})
        closure.delete()


def _authorize_calendar(actor: User | None) -> None:
    """The national calendar binds every unit: only who manages the whole catalog."""
    if actor is not None and not scope_of(actor, Action.CATALOG_MANAGE).everything:
        raise NotAllowed("permission_denied",
                               _("Only a system administrator who manages every service can change the "
                                 "national holidays."))


def save_calendar_year(*, actor: User | None, year: CalendarYear, changed: list[str]) -> CalendarYear:
    """Add a year of the national calendar or change its marker: `complete` says its
    holidays and make-up working days are all entered, and deadlines through it stop
    being flagged."""
    _authorize_calendar(actor)
    old = CalendarYear.objects.filter(pk=year.pk).first()
    if not 2000 <= year.year <= 2100:
        raise ApplicationError("bad_year", _("The year should be between 2000 and 2100"), field="year")
    with transaction.atomic():
        year.save()
        state = _("complete") if year.complete else _("incomplete")
        record(actor=actor, action="catalog.calendar_year", obj=year,
               summary=(_("Changed holiday year %(year)s (%(state)s)") if old else
                        _("Added holiday year %(year)s (%(state)s)")) % {"year": year.year, "state": state},
               details={"changes": _changes(year, old, changed)})
        transaction.on_commit(workdays.forget_calendar)
    workdays.forget_calendar()
    return year


def save_calendar_days(*, actor: User | None, year: CalendarYear, saved: list[tuple[CalendarDay, list[str]]],
                       deleted: list[CalendarDay]) -> None:
    """Enter, change and remove days of a year of the national calendar (holidays and
    make-up working days), in one act: each day lies in `year`; one trail entry with
    every day's date, kind and name."""
    _authorize_calendar(actor)
    for day, _fields in saved:
        if day.date.year != year.year or day.year_id != year.year:
            raise ApplicationError("bad_date", _("%(date)s is not in %(year)s") % {"date": day.date,
                                                                                   "year": year.year}, field="date")
        if day.kind not in CalendarDay.Kind.values:
            raise ApplicationError("bad_kind", _("The type can only be public holiday or make-up working day"),
                                   field="kind")
    if any(d.year_id != year.year for d in deleted):
        raise ApplicationError("bad_date", _("Only dates of %(year)s can be deleted") % {"year": year.year},
                               field="date")
    if not saved and not deleted:
        return
    with transaction.atomic():
        rows = []
        for day, _fields in saved:
            day.save()
            rows.append({"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "act": "save"})
        for day in deleted:
            rows.append({"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "act": "delete"})
            day.delete()
        record(actor=actor, action="catalog.calendar_days", obj=year,
               summary=_("Changed the holidays of %(year)s (%(days)s days)") % {"year": year.year, "days": len(rows)},
               details={"days": rows})
        transaction.on_commit(workdays.forget_calendar)
    workdays.forget_calendar()


def enter_calendar_year(*, actor: User | None, year: int, days: list[tuple[dt.date, str, str]], complete: bool,
                        source: str = "") -> CalendarYear:
    """Replace a year of the national calendar wholesale with `days` (date, kind,
    name), as a command or an upgrade of chinesecalendar brings them. One trail
    entry."""
    _authorize_calendar(actor)
    for day, kind, _name in days:
        if day.year != year:
            raise ApplicationError("bad_date", _("%(date)s is not in %(year)s") % {"date": day, "year": year},
                                   field="date")
        if kind not in CalendarDay.Kind.values:
            raise ApplicationError("bad_kind", _("The type can only be public holiday or make-up working day"),
                                   field="kind")
    with transaction.atomic():
        # two entries of one year at once: the second waits for the first's row, then
        # replaces its days (never both sets of days, never a failed insert)
        CalendarYear.objects.get_or_create(year=year, defaults={"complete": complete, "source": source})
        row = CalendarYear.objects.select_for_update().get(year=year)
        row.complete, row.source = complete, source
        row.save()
        CalendarDay.objects.filter(year=row).delete()
        CalendarDay.objects.bulk_create([CalendarDay(year=row, date=d, kind=k, name=n) for d, k, n in days])
        record(actor=actor, action="catalog.calendar_enter", obj=row,
               summary=_("Entered the holidays of %(year)s (%(days)s days, %(state)s)")
               % {"year": year, "days": len(days), "state": _("complete") if complete else _("incomplete")},
               details={"days": len(days), "complete": complete, "source": source})
        transaction.on_commit(workdays.forget_calendar)
    workdays.forget_calendar()
    return row
