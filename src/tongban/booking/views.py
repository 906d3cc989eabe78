"""Booking pages: the applicant's (what can be booked, a resource's days and free
places, my bookings with cancel, reschedule and the queue number) and the window's
day view (check in, served, no-show, walk-in). Reads through selectors, writes
through services; every posted input goes through a form of forms.py, and bad input
or a refused act re-renders the page with the reasons beside their fields and its
status (409 full, 422 bad input, 403 restricted)."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.booking import clock, selectors, services
from tongban.booking.forms import BookForm, CancelForm, ExtraHoursForm, RescheduleForm, WalkInForm
from tongban.booking.models import State
from tongban.lib.errors import ApplicationError
from tongban.lib.forms import add_service_error

# --- the applicant's pages ----------------------------------------------------------------


@login_required
def index(request):
    return render(request, "booking/index.html", {"resources": selectors.bookable_resources()})


@login_required
def resource(request, pk: int):
    status = 200
    service = case = None
    form = BookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            data = form.cleaned_data
            # The 08:00 rush (bench/booking_rush.py): the slot is read first, with nothing
            # else loaded. A slot read full is full (places come back only by a
            # cancellation): "full" at once; otherwise book() decides.
            full = selectors.full_slot(resource_pk=pk, slot_pk=data["slot"])
            if full is not None:
                return _full(full, service=data["service"], case=data["case"])
            slot = selectors.slot_of(resource_pk=pk, slot_pk=data["slot"])
            case = _own_case(request, data["case"])
            service = selectors.published_service(data["service"] or (case.item_id if case else ""))
            if service is None:  # a resource taking one service may leave it unsaid
                service = selectors.service_of(selectors.resource_for_applicant(pk=pk), None)
            try:
                if slot is None:
                    raise ApplicationError("slot_required", _("Please choose a time slot."), field="slot")
                if service is None:
                    raise ApplicationError("service_required", _("Please choose the service to apply for."),
                                           field="service")
                booking = services.book(actor=request.user, slot=slot, service=service, case=case)
            except ApplicationError as exc:
                if exc.code == services.SLOT_FULL:
                    return _full(slot.resource, service=service.pk, case=case.pk if case else None)
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Booked."))
                return redirect("booking:detail", pk=booking.pk)
    found = selectors.resource_for_applicant(pk=pk)
    if request.method != "POST":
        case = _own_case(request, request.GET.get("case"))
        service = selectors.service_of(found, request.GET.get("service") or (case.item_id if case else None))
    elif service is None:
        case = _own_case(request, form.cleaned_data.get("case") if form.is_valid() else None)
        service = selectors.service_of(found, form.cleaned_data.get("service") or (case.item_id if case else None))
    return render(request, "booking/resource.html", {
        "resource": found, "service": service, "services": list(found.services.all()),
        "days": selectors.days(resource=found, service=service) if service else [],
        "person": selectors.own_person(request.user), "form": form, "case": case,
    }, status=status)


def _full(resource, *, service: int | None, case: int | None):
    """A short page, not the whole grid of days recomputed for each refusal; its link
    shows the places still free."""
    return HttpResponse(_full_page(resource.pk, resource.name, str(service or ""), str(case or ""), get_language()),
                        status=409)


@functools.lru_cache(maxsize=1024)
def _full_page(resource_pk: int, name: str, service: str, case: str, language: str | None) -> str:
    """The page, rendered once per resource (and name), link and language: in the rush
    it is most of the answers (bench/booking_rush.py). Rendered without the request, so
    no context processor (unread messages, roles) queries for a page needing none."""
    return render_to_string("booking/full.html", {"resource": {"pk": resource_pk, "name": name}, "service": service,
                                                  "case": case, "message": services.FULL})


def _own_case(request, value):
    """The applicant's own application this booking is for (`case`), if any."""
    if not str(value or "").isdigit():
        return None
    from tongban.cases.selectors import own_case

    return own_case(user=request.user, pk=int(value))


@login_required
def mine(request):
    return render(request, "booking/mine.html", {
        "active": selectors.own_active(user=request.user),
        "past": selectors.own_bookings(user=request.user).exclude(
            pk__in=selectors.own_active(user=request.user).values("pk"))[:30],
    })


@login_required
def detail(request, pk: int):
    """One booking: the confirmation with the materials to bring, and on the day its
    queue number (the status block refreshes itself by htmx while active today)."""
    booking = selectors.own_booking(user=request.user, pk=pk)
    context = {"b": booking, "today": clock.today(), "materials": booking.service.materials.all()}
    if request.htmx:
        return render(request, "booking/_status.html", context)
    return render(request, "booking/detail.html", context)


@login_required
@require_POST
def cancel(request, pk: int):
    booking = selectors.own_booking(user=request.user, pk=pk)
    try:
        services.cancel(actor=request.user, booking=booking)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Booking cancelled."))
    return redirect("booking:mine")


@login_required
def reschedule(request, pk: int):
    booking = selectors.own_booking(user=request.user, pk=pk)
    form = RescheduleForm(request.POST if request.method == "POST" else None)
    # the same window by default; or another that takes the service (asked by its id)
    choices = list(selectors.resources_serving(booking.service))
    wanted = (form.cleaned_data.get("resource") if form.is_valid() else form["resource"].value()) \
        if form.is_bound else request.GET.get("resource")
    found = next((r for r in choices if str(r.pk) == str(wanted or "")), booking.resource)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            try:
                slot = selectors.slot_for(resource=found, pk=form.cleaned_data["slot"])
            except Http404:  # a slot of another resource, or none
                form.add_error("slot", _("Please choose a time slot."))
                status = 422
            else:
                try:
                    services.reschedule(actor=request.user, booking=booking, slot=slot)
                except ApplicationError as exc:
                    add_service_error(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("Rescheduled."))
                    return redirect("booking:detail", pk=booking.pk)
    return render(request, "booking/reschedule.html", {
        "b": booking, "resource": found, "service": booking.service, "choices": choices,
        "days": selectors.days(resource=found, service=booking.service), "form": form,
    }, status=status)


# --- the window -------------------------------------------------------------------------------

def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return clock.today()


def _back(resource_pk, day: dt.date):
    return redirect(f"{reverse('booking:desk')}?{urlencode({'resource': resource_pk, 'date': day.isoformat()})}")


@staff_required
def desk(request):
    """The day's bookings of one resource, with the window's acts."""
    if not can(request.user, services.WINDOW):
        raise PermissionDenied
    chosen = request.GET.get("resource", "")
    current = selectors.staff_resource(user=request.user, pk=chosen) if chosen else \
        selectors.staff_resources(user=request.user).first()
    return _desk_page(request, current, _day(request.GET.get("date", "")))


def _desk_page(request, current, day: dt.date, *, walk_in: WalkInForm | None = None,
               cancelling: tuple[int, CancelForm] | None = None, status: int = 200):
    """The desk of a resource on a day; a refused walk-in or cancellation shows its form
    again, the reasons beside the fields and what was typed kept."""
    resources = selectors.staff_resources(user=request.user)
    if walk_in is None and current is not None:
        walk_in = WalkInForm(initial={"resource": current.pk}, resources=resources)
    return render(request, "booking/desk.html", {
        "resources": resources, "current": current, "day": day, "today": clock.today(),
        "bookings": selectors.day_bookings(user=request.user, resource=current, day=day) if current else [],
        "services": current.services.filter(is_published=True) if current else [],
        "states": State, "walk_in": walk_in,
        "cancelling": cancelling[0] if cancelling else None, "cancel_form": cancelling[1] if cancelling else None,
    }, status=status)


ACTS = {
    "check-in": (services.check_in, lambda done: _("%(name)s: checked in, queue number %(number)s.")),
    "served": (services.mark_served, lambda done: _("%(name)s: marked as served.")),
    "no-show": (services.mark_no_show, lambda done: _("%(name)s: recorded as a no-show.")),
}


@staff_required
@require_POST
def act(request, pk: int, name: str):
    booking = selectors.staff_booking(user=request.user, pk=pk)
    try:
        if name == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                return _desk_page(request, booking.resource, booking.date, cancelling=(booking.pk, form), status=422)
            try:
                done = services.cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                if exc.field != "reason":
                    raise
                add_service_error(form, exc)
                return _desk_page(request, booking.resource, booking.date, cancelling=(booking.pk, form),
                                  status=exc.status)
            note = _("%(name)s: booking cancelled.")
        elif name in ACTS:
            service, wording = ACTS[name]
            done = service(actor=request.user, booking=booking)
            note = wording(done)
        else:
            raise ApplicationError("unknown_act", _("Unknown action."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, note % {"name": done.person.name, "number": done.queue_number})
    return _back(booking.resource_id, booking.date)


@staff_required
@require_POST
def walk_in(request):
    """Queue someone without a booking: found by student/staff number, ID number or
    name and phone, all posted (never in a URL, where the access log would keep an ID
    number); the desk says what was done, or shows the form again with why not."""
    form = WalkInForm(request.POST, resources=selectors.staff_resources(user=request.user))
    valid = form.is_valid()
    if "resource" in form.errors:  # a hidden field: a window out of reach, or none
        raise Http404
    found = form.cleaned_data["resource"]
    if not valid:
        return _desk_page(request, found, clock.today(), walk_in=form, status=422)
    data = form.cleaned_data
    try:
        if form.id_number:
            person = selectors.person_for_window(user=request.user, id_number=form.id_number)
        else:
            person = selectors.person_for_window(user=request.user, number=data["who"], name=data["name"],
                                                 phone=data["phone"])
        if person is None:
            raise ApplicationError("person_not_found", _(
                "No such person (or more than one matches, or not within your reach): check the student/staff "
                "number, ID number, or name and mobile number."), field="who")
        service = selectors.service_of(found, data.get("service"))
        if service is None:
            raise ApplicationError("service_required", _("Please choose the service to apply for."),
                                   field="service")
        done = services.arrive(actor=request.user, resource=found, person=person, service=service)
    except ApplicationError as exc:
        add_service_error(form, exc)
        return _desk_page(request, found, clock.today(), walk_in=form, status=exc.status)
    if done.walk_in:
        note = _("%(name)s: walk-in, number %(number)s.")
    else:
        note = _("%(name)s: checked in for the booking, queue number %(number)s.")
    messages.success(request, note % {"name": done.person.name, "number": done.queue_number})
    return _back(found.pk, clock.today())


@staff_required
def hours(request):
    """A window's extra hours for date ranges (延时服务): the ones not yet over, and the
    form to open more."""
    if not can(request.user, services.WINDOW):
        raise PermissionDenied
    resources = selectors.staff_resources(user=request.user)
    chosen = request.GET.get("resource") or ""
    if request.method == "POST":
        form = ExtraHoursForm(request.POST, resources=resources)
        if "resource" in form.errors:
            raise Http404
        current = form.cleaned_data["resource"]
    else:
        current = selectors.staff_resource(user=request.user, pk=chosen) if chosen else resources.first()
        form = ExtraHoursForm(initial={"working_days_only": True, "resource": current.pk if current else None},
                              resources=resources)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "resource"}
            try:
                services.open_extra_hours(actor=request.user, resource=current, **data)
            except ApplicationError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Extra hours opened; their places are ready."))
                return redirect(f"{reverse('booking:hours')}?{urlencode({'resource': current.pk})}")
        else:
            status = 422
    return render(request, "booking/hours.html", {
        "resources": resources, "current": current, "form": form,
        "extra": selectors.extra_hours(user=request.user, resource=current) if current else [],
    }, status=status)


@staff_required
@require_POST
def withdraw_hours(request, pk: int):
    extra = selectors.staff_extra_hours(user=request.user, pk=pk)
    try:
        kept = services.withdraw_extra_hours(actor=request.user, extra=extra)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if kept:
            messages.success(request, _("Extra hours withdrawn; %(kept)s bookings remain valid, please serve "
                                        "them on time.") % {"kept": kept})
        else:
            messages.success(request, _("Extra hours withdrawn."))
    return redirect(f"{reverse('booking:hours')}?{urlencode({'resource': extra.resource_id})}")
