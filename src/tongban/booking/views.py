"""Booking pages: the applicant's (what can be booked, a resource's days and free
places, my bookings with cancel, reschedule and the queue number) and the window's
day view (check in, served, no-show, walk-in). Reads through selectors, writes
through services; a refused act re-renders the page with the reason and its status
(409 "已约满", 422 bad input, 403 restricted)."""

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
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.booking import clock, selectors, services
from tongban.booking.forms import ExtraHoursForm, WalkInForm
from tongban.booking.models import State
from tongban.lib.errors import ApplicationError

# --- the applicant's pages ----------------------------------------------------------------


@login_required
def index(request):
    return render(request, "booking/index.html", {"resources": selectors.bookable_resources()})


def _slot_or_error(resource, value):
    if not str(value).isdigit():
        raise ApplicationError("slot_required", "请选择预约时段。", field="slot")
    try:
        return selectors.slot_for(resource=resource, pk=value)
    except Http404 as exc:  # a slot of another resource, or none
        raise ApplicationError("slot_required", "请选择预约时段。", field="slot") from exc


@login_required
def resource(request, pk: int):
    error = service = case = None
    if request.method == "POST":
        # The 08:00 rush (bench/booking_rush.py): the slot is read first, with nothing
        # else loaded. A slot read full is full (places come back only by a
        # cancellation): "已约满" at once; otherwise book() decides.
        full = selectors.full_slot(resource_pk=pk, slot_pk=request.POST.get("slot", ""))
        if full is not None:
            return _full(request, full, service=None, case=None)
        slot = selectors.slot_of(resource_pk=pk, slot_pk=request.POST.get("slot", ""))
        case = _own_case(request)
        service = selectors.published_service(request.POST.get("service") or (case.item_id if case else ""))
        if service is None:  # a resource taking one service may leave it unsaid
            service = selectors.service_of(selectors.resource_for_applicant(pk=pk), None)
        try:
            if slot is None:
                raise ApplicationError("slot_required", "请选择预约时段。", field="slot")
            if service is None:
                raise ApplicationError("service_required", "请选择要办理的事项。", field="service")
            booking = services.book(actor=request.user, slot=slot, service=service, case=case)
        except ApplicationError as exc:
            if exc.code == services.SLOT_FULL:
                return _full(request, slot.resource, service=service, case=case)
            error = exc
        else:
            messages.success(request, "预约成功。")
            return redirect("booking:detail", pk=booking.pk)
    found = selectors.resource_for_applicant(pk=pk)
    if request.method != "POST":
        case = _own_case(request)
        service = selectors.service_of(found, request.GET.get("service") or (case.item_id if case else None))
    return render(request, "booking/resource.html", {
        "resource": found, "service": service, "services": list(found.services.all()),
        "days": selectors.days(resource=found, service=service) if service else [],
        "person": selectors.own_person(request.user), "error": error, "case": case,
    }, status=error.status if error else 200)


def _full(request, resource, *, service, case):
    """A short page, not the whole grid of days recomputed for each refusal; its link
    shows the places still free."""
    def number(value) -> str:
        return str(value) if str(value).isdigit() else ""

    return HttpResponse(_full_page(resource.pk, resource.name, number(service.pk if service else
                                                                       request.POST.get("service", "")),
                                   number(case.pk if case else request.POST.get("case", ""))), status=409)


@functools.lru_cache(maxsize=1024)
def _full_page(resource_pk: int, name: str, service: str, case: str) -> str:
    """The page, rendered once per resource (and name) and link: in the rush it is
    most of the answers (bench/booking_rush.py). Rendered without the request, so no
    context processor (unread messages, roles) queries for a page needing none."""
    return render_to_string("booking/full.html", {"resource": {"pk": resource_pk, "name": name}, "service": service,
                                                  "case": case, "message": services.FULL})


def _own_case(request):
    """The applicant's own application this booking is for (`?case=`), if any."""
    value = request.POST.get("case") or request.GET.get("case") or ""
    if not str(value).isdigit():
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
        messages.success(request, "预约已取消。")
    return redirect("booking:mine")


@login_required
def reschedule(request, pk: int):
    booking = selectors.own_booking(user=request.user, pk=pk)
    # the same window by default; or another that takes the service (asked by its id)
    choices = list(selectors.resources_serving(booking.service))
    wanted = request.POST.get("resource") or request.GET.get("resource") or ""
    found = next((r for r in choices if str(r.pk) == wanted), booking.resource)
    error = None
    if request.method == "POST":
        try:
            services.reschedule(actor=request.user, booking=booking,
                                slot=_slot_or_error(found, request.POST.get("slot", "")))
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, "已改约。")
            return redirect("booking:detail", pk=booking.pk)
    return render(request, "booking/reschedule.html", {
        "b": booking, "resource": found, "service": booking.service, "choices": choices,
        "days": selectors.days(resource=found, service=booking.service), "error": error,
    }, status=error.status if error else 200)


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
    resources = selectors.staff_resources(user=request.user)
    chosen = request.GET.get("resource", "")
    current = selectors.staff_resource(user=request.user, pk=chosen) if chosen else resources.first()
    day = _day(request.GET.get("date", ""))
    return render(request, "booking/desk.html", {
        "resources": resources, "current": current, "day": day, "today": clock.today(),
        "bookings": selectors.day_bookings(user=request.user, resource=current, day=day) if current else [],
        "services": current.services.filter(is_published=True) if current else [],
        "states": State,
    })


ACTS = {
    "check-in": (services.check_in, "已签到，排队号 {number}。"),
    "served": (services.mark_served, "已标记为已办理。"),
    "no-show": (services.mark_no_show, "已记为爽约。"),
}


@staff_required
@require_POST
def act(request, pk: int, name: str):
    booking = selectors.staff_booking(user=request.user, pk=pk)
    try:
        if name == "cancel":
            done = services.cancel(actor=request.user, booking=booking, reason=request.POST.get("reason", ""))
            note = "已取消该预约。"
        elif name in ACTS:
            service, note = ACTS[name]
            done = service(actor=request.user, booking=booking)
        else:
            raise ApplicationError("unknown_act", "未知操作。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{done.person.name}：{note.format(number=done.queue_number)}")
    return _back(booking.resource_id, booking.date)


@staff_required
@require_POST
def walk_in(request):
    """Queue someone without a booking: found by student/staff number, ID number or
    name and phone, all posted (never in a URL, where the access log would keep an ID
    number); the desk says what was done or why not."""
    form = WalkInForm(request.POST)
    found = selectors.staff_resource(user=request.user, pk=request.POST.get("resource", ""))
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ApplicationError("bad_input", errors[0], field=field)
        data = form.cleaned_data
        if form.id_number:
            person = selectors.person_for_window(user=request.user, id_number=form.id_number)
        else:
            person = selectors.person_for_window(user=request.user, number=data["who"], name=data["name"],
                                                 phone=data["phone"])
        if person is None:
            raise ApplicationError("person_not_found", "找不到该人员（或不止一人相符，或不在您的管理范围内）："
                                                       "请核对学号/工号、身份证号或姓名和手机号。", field="who")
        service = selectors.service_of(found, data.get("service"))
        if service is None:
            raise ApplicationError("service_required", "请选择要办理的事项。", field="service")
        done = services.arrive(actor=request.user, resource=found, person=person, service=service)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        how = "现场取号" if done.walk_in else "已按预约签到，排队号"
        messages.success(request, f"{done.person.name}：{how} {done.queue_number} 号。")
    return _back(found.pk, clock.today())


@staff_required
def hours(request):
    """A window's extra hours for date ranges (延时服务): the ones not yet over, and the
    form to open more."""
    if not can(request.user, services.WINDOW):
        raise PermissionDenied
    resources = selectors.staff_resources(user=request.user)
    chosen = request.POST.get("resource") or request.GET.get("resource") or ""
    current = selectors.staff_resource(user=request.user, pk=chosen) if chosen else resources.first()
    status = 200
    form = ExtraHoursForm(request.POST or None, initial={"working_days_only": True})
    if request.method == "POST" and current is not None:
        if form.is_valid():
            try:
                services.open_extra_hours(actor=request.user, resource=current, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, "已开放延时服务，号源已生成。")
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
        kept_note = f"；已有 {kept} 个预约仍然有效，请按时接待。" if kept else "。"
        messages.success(request, f"已撤销该延时服务时段{kept_note}")
    return redirect(f"{reverse('booking:hours')}?{urlencode({'resource': extra.resource_id})}")
