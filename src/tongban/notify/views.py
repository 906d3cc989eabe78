"""The inbox (applicants and staff alike), notification preferences, a test send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.lib.errors import ApplicationError
from tongban.notify import selectors, services
from tongban.notify.events import Channel
from tongban.notify.forms import MarkReadForm, PreferencesForm


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page"))
    return render(request, "notify/inbox.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(user=request.user)})


@login_required
@require_POST
def mark_read(request):
    """One message (`id`) or all of them; an htmx request gets the updated item back,
    a plain form goes on to the message's link or back to the inbox. A malformed post
    (the page's hidden fields altered) marks nothing."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return redirect("notify:inbox")
    ids = [form.cleaned_data["id"]] if form.cleaned_data["id"] else None
    services.mark_read(actor=request.user, message_ids=ids)
    if ids and request.htmx:
        message = selectors.inbox(user=request.user).filter(pk=ids[0]).first()
        return render(request, "notify/_item.html", {"m": message}) if message else redirect("notify:inbox")
    return redirect(form.cleaned_data["next"] or "notify:inbox")


@login_required
def preferences(request):
    """Every kind is checked before any is saved: the page shows all refusals at once,
    next to their kinds, with the boxes as they were ticked."""
    lines = selectors.preferences(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, lines=lines)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            for kind in form.kinds():
                try:
                    services.check_preference(kind=kind.key, channels=form.chosen(kind.key))
                except ApplicationError as exc:
                    form.add_error(form.kind_field(kind.key), exc.message)
        if form.is_valid():
            services.set_preferences(actor=request.user,
                                     choices={kind.key: form.chosen(kind.key) for kind in form.kinds()})
            messages.success(request, _("Notification preferences saved."))
            return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form, "channels": Channel.CHOICES},
                  status=status)


@login_required
@require_POST
def send_test(request):
    try:
        count = services.send_test_message(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A test notification was sent (%(count)s channels); please check.") % {
            "count": count})
    return redirect("notify:preferences")
