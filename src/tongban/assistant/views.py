"""The assistant's pages: the chat panel (phone first; htmx appends each answer, and
without script the form posts and the page comes back with it), 有用/没用 on an answer,
and the staff's list of questions to improve the guides with."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tongban.accounts.access import can
from tongban.accounts.decorators import staff_required
from tongban.accounts.roles import Action
from tongban.assistant import selectors, services, throttle
from tongban.assistant.forms import AskForm, FeedbackForm
from tongban.lib.errors import ApplicationError


def chat(request):
    return render(request, "assistant/chat.html", {"form": AskForm()})


@require_POST
def ask(request):
    form = AskForm(request.POST)
    template = "assistant/_reply.html" if request.htmx else "assistant/chat.html"
    status, reply, refusal = 200, None, None
    if not form.is_valid():  # only a question of more than 20,000 characters gets here
        text, choice = "", ""
    else:
        text, choice = form.cleaned_data["q"], form.cleaned_data["choice"]
    try:
        throttle.check(user=request.user, ip=throttle.client_ip(request))
        reply = services.ask(actor=request.user, text=text, choice=choice)
    except ApplicationError as exc:
        refusal, status = exc.message, exc.status
    return render(request, template, {"form": AskForm(), "reply": reply, "refusal": refusal, "asked": text[:500]},
                  status=status)


@require_POST
def feedback(request):
    form = FeedbackForm(request.POST)
    done = False
    status = 422
    if form.is_valid():
        try:
            services.give_feedback(actor=request.user, question_id=form.cleaned_data["question"],
                                   helpful=form.cleaned_data["helpful"])
            done, status = True, 200
        except ApplicationError as exc:
            status = exc.status
    return render(request, "assistant/_feedback.html", {"done": done}, status=status)


@staff_required
def to_improve(request):
    if not can(request.user, Action.CATALOG_MANAGE):
        raise PermissionDenied
    return render(request, "assistant/to_improve.html", {"groups": selectors.to_improve(user=request.user)})
