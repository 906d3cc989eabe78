"""The inbox (applicants and staff alike), notification preferences, a test send."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.lib.errors import ApplicationError
from tongban.notify import selectors, services
from tongban.notify.events import Channel


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
    a plain form goes on to the message's link or back to the inbox."""
    raw = request.POST.get("id")
    ids = None
    if raw:
        try:
            ids = [int(raw)]
        except ValueError:
            return redirect("notify:inbox")
    services.mark_read(actor=request.user, message_ids=ids)
    if ids and request.htmx:
        message = selectors.inbox(user=request.user).filter(pk=ids[0]).first()
        return render(request, "notify/_item.html", {"m": message}) if message else redirect("notify:inbox")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notify:inbox")


@login_required
def preferences(request):
    if request.method == "POST":
        errors = []
        for line in selectors.preferences(user=request.user):
            kind = line["kind"].key
            chosen = [c for c in Channel.ALL if request.POST.get(f"{kind}:{c}")]
            try:
                services.set_preference(actor=request.user, kind=kind, channels=chosen)
            except ApplicationError as exc:
                errors.append(exc.message)
        for error in errors:
            messages.error(request, error)
        if not errors:
            messages.success(request, "通知偏好已保存。")
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"lines": selectors.preferences(user=request.user),
                                                       "channels": Channel.CHOICES})


@login_required
@require_POST
def send_test(request):
    try:
        count = services.send_test_message(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发送测试通知（{count} 个渠道），请查收。")
    return redirect("notify:preferences")
