from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tongban.audit.middleware import client_ip
from tongban.lib.errors import ApplicationError
from tongban.notify import todos
from tongban.people.binding import bind_by_identity
from tongban.people.selectors import own_person
from tongban.portal.forms import BindForm


def home(request):
    """The applicants' front page: what they can do here, and who they are bound as."""
    from tongban.restrictions.selectors import own_current

    person = own_person(user=request.user) if request.user.is_authenticated else None
    return render(request, "portal/home.html", {"person": person, "restrictions": own_current(user=request.user)})


@login_required
def mine(request):
    """我的: the tab bar's third tab, where an applicant finds everything of their own
    (applications, bookings, loans, household, messages, settings) as WeUI cells."""
    return render(request, "portal/mine.html", {"person": own_person(user=request.user),
                                                "todos": todos.for_user(request.user, limit=20)})


@never_cache
def bind(request):
    """A freshman (or anyone on the office's list) binds their account to their record
    with ID number + student number; without an account, one is made. Inside WeChat
    the visitor first goes through WeChat's silent authorisation so the openid is bound
    too."""
    from tongban.accounts import wechat

    openid = request.session.get("wechat_openid", "")
    in_wechat = wechat.IN_WECHAT in request.headers.get("User-Agent", "")
    if request.method == "GET" and in_wechat and not openid and wechat.configured():
        return redirect(f"{reverse('accounts:wechat')}?{urlencode({'next': request.get_full_path()})}")
    if request.user.is_authenticated and own_person(user=request.user) is not None:
        messages.info(request, _("Your account is bound already."))
        return redirect("portal:home")
    error = None
    form = BindForm(request.POST or None, with_password=not request.user.is_authenticated)
    if request.method == "POST" and form.is_valid():
        try:
            user = bind_by_identity(
                user=request.user if request.user.is_authenticated else None,
                id_number=form.cleaned_data["id_number"], student_number=form.cleaned_data["student_number"],
                password=form.cleaned_data.get("password", ""), openid=openid, client_ip=client_ip(request))
        except ApplicationError as exc:
            error = exc
            if exc.field == "password":
                form.add_error("password", exc.message)
                error = None
        else:
            request.session.pop("wechat_openid", None)
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bound. Your user name is %(username)s.") % {"username": user.username})
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "portal:home"
            return redirect(target or "portal:home")
    failed = error is not None or (request.method == "POST" and not form.is_valid())
    return render(request, "portal/bind.html", {"form": form, "error": error, "wechat": bool(openid)},
                  status=422 if failed else 200)
