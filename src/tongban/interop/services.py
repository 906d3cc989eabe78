"""Registering, rotating and revoking the systems that call tongban. A secret is shown
once, when it is made; only its hash is kept (django-oauth-toolkit hashes it on save)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from tongban.accounts.access import authorize
from tongban.accounts.models import OrgUnit, User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.interop.models import ApiClient, ExternalTodo
from tongban.interop.scopes import Scope
from tongban.lib.errors import ApplicationError, StateConflict

MAX_OVERLAP_HOURS = 72


def _check_scopes(scopes: list[str]) -> list[str]:
    known = set(Scope.values)
    unknown = [s for s in scopes if s not in known]
    if unknown:
        raise ApplicationError("unknown_scope", _("Unknown scope: %(scopes)s") % {"scopes": ", ".join(unknown)},
                               field="scopes")
    if not scopes:
        raise ApplicationError("no_scope", _("Grant at least one scope."), field="scopes")
    return [s for s in Scope.values if s in scopes]  # one order, whatever was sent


@transaction.atomic
def register_client(*, actor: User, name: str, kind: str, scopes: list[str], units: list[OrgUnit],
                    rate_per_minute: int = 600) -> tuple[ApiClient, str]:
    """Register a system; return it and its secret, which is never shown again."""
    authorize(actor, Action.INTEROP_MANAGE)
    for unit in units:
        authorize(actor, Action.INTEROP_MANAGE, unit=unit)
    scopes = _check_scopes(scopes)
    if ApiClient.objects.filter(name=name).exists():
        raise ApplicationError("name_taken", _("A client with this name is already registered."), field="name")
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret,
        hash_client_secret=True, skip_authorization=True)
    client = ApiClient.objects.create(name=name, kind=kind, application=application, scopes=scopes,
                                      rate_per_minute=rate_per_minute, created_by=actor)
    client.units.set(units)
    record(actor=actor, action="interop.client_registered", obj=client,
           summary=_("Registered the system %(name)s") % {"name": name},
           details={"kind": kind, "scopes": scopes, "units": [u.code for u in units],
                    "rate_per_minute": rate_per_minute, "client_id": application.client_id})
    return client, secret


def _locked(client: ApiClient) -> ApiClient:
    return ApiClient.objects.select_for_update().select_related("application").get(pk=client.pk)


@transaction.atomic
def rotate_secret(*, actor: User, client: ApiClient, overlap_hours: int = 24) -> str:
    """Give the client a new secret; the old one keeps working for `overlap_hours` (0: not
    at all) so the system can switch without a gap. Return the new secret."""
    authorize(actor, Action.INTEROP_MANAGE)
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise ApplicationError("bad_overlap", _("The overlap is from 0 to %(max)s hours.")
                               % {"max": MAX_OVERLAP_HOURS}, field="overlap_hours")
    client = _locked(client)
    if not client.is_active:
        raise StateConflict("client_revoked", _("This client is revoked."))
    application = client.application
    client.previous_secret = application.client_secret if overlap_hours else ""
    client.previous_secret_until = timezone.now() + dt.timedelta(hours=overlap_hours) if overlap_hours else None
    client.save(update_fields=["previous_secret", "previous_secret_until"])
    secret = generate_client_secret()
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    record(actor=actor, action="interop.secret_rotated", obj=client,
           summary=_("Rotated the secret of %(name)s") % {"name": client.name},
           details={"overlap_hours": overlap_hours})
    return secret


@transaction.atomic
def revoke_client(*, actor: User, client: ApiClient, reason: str) -> ApiClient:
    """Shut a client out at once: its tokens are deleted and no new one is issued."""
    authorize(actor, Action.INTEROP_MANAGE)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("Say why the client is revoked."), field="reason")
    client = _locked(client)
    if not client.is_active:
        raise StateConflict("client_revoked", _("This client is revoked."))
    client.revoked_at = timezone.now()
    client.revoked_reason = reason[:200]
    client.previous_secret, client.previous_secret_until = "", None
    client.save(update_fields=["revoked_at", "revoked_reason", "previous_secret", "previous_secret_until"])
    tokens, _deleted = AccessToken.objects.filter(application=client.application).delete()
    record(actor=actor, action="interop.client_revoked", obj=client,
           summary=_("Revoked the system %(name)s") % {"name": client.name},
           details={"reason": reason, "tokens_deleted": tokens})
    return client


def record_call(*, client: ApiClient, method: str, path: str, purpose: str, status: int,
                refused: str = "") -> None:
    """Every call of a system is on the trail, with the client and the purpose it gave."""
    with transaction.atomic():
        record(actor=None, action="interop.call_refused" if refused else "interop.call", obj=client,
               summary=_("%(client)s: %(method)s %(path)s") % {"client": client.name, "method": method,
                                                               "path": path},
               details={"client_id": client.client_id, "purpose": purpose[:200], "status": status,
                        "refused": refused})


def _check_event_types(event_types: list[str]) -> list[str]:
    from tongban.interop.events import SUBSCRIBABLE

    unknown = [t for t in event_types if t not in SUBSCRIBABLE]
    if unknown:
        raise ApplicationError("unknown_event_type", _("Unknown event type: %(types)s")
                               % {"types": ", ".join(unknown)}, field="event_types")
    if not event_types:
        raise ApplicationError("no_event_type", _("Choose at least one event type."), field="event_types")
    return sorted(set(event_types))


@transaction.atomic
def subscribe(*, actor: User, client: ApiClient, url: str, event_types: list[str]):
    """Subscribe the client to events; return the subscription and its signing secret,
    shown once (the receiver verifies every delivery with it)."""
    from tongban.interop.models import Subscription

    authorize(actor, Action.INTEROP_MANAGE)
    client = _locked(client)
    if not client.is_active:
        raise StateConflict("client_revoked", _("This client is revoked."))
    if Scope.EVENTS_RECEIVE not in client.scopes:
        raise ApplicationError("scope_missing", _("The client was not granted the scope to receive events."),
                               field="event_types")
    if not url.startswith(("https://", "http://")):
        raise ApplicationError("bad_url", _("The receiving URL must start with https:// or http://."), field="url")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    subscription = Subscription.objects.create(client=client, url=url, event_types=_check_event_types(event_types),
                                               secret=secret)
    record(actor=actor, action="interop.subscribed", obj=subscription,
           summary=_("%(client)s subscribed to %(types)s") % {"client": client.name,
                                                              "types": ", ".join(subscription.event_types)},
           details={"url": url, "event_types": subscription.event_types})
    return subscription, secret


@transaction.atomic
def end_subscription(*, actor: User, subscription) -> None:
    authorize(actor, Action.INTEROP_MANAGE)
    if subscription.ended_at is not None:
        raise StateConflict("subscription_ended", _("This subscription has ended."))
    subscription.ended_at = timezone.now()
    subscription.save(update_fields=["ended_at"])
    record(actor=actor, action="interop.unsubscribed", obj=subscription,
           summary=_("Ended the subscription of %(client)s to %(url)s") % {"client": subscription.client.name,
                                                                          "url": subscription.url})


@transaction.atomic
def replay(*, actor: User, deliveries) -> int:
    """Send again what was given up (or delivered, on the receiver's request): each one
    is due at once, with a fresh day of retries counted from now."""
    from tongban.interop.models import Delivery
    from tongban.interop.tasks import deliver_soon

    authorize(actor, Action.INTEROP_MANAGE)
    ids = [d.pk for d in deliveries]
    chosen = Delivery.objects.select_for_update().filter(pk__in=ids).exclude(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
    now = timezone.now()
    picked = list(chosen.values_list("pk", "event_id"))
    Delivery.objects.filter(pk__in=[pk for pk, _e in picked]).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, since=now, claim="", last_error="")
    record(actor=actor, action="interop.replayed", object_type="interop.delivery",
           object_id=",".join(str(pk) for pk, _e in picked)[:64],
           summary=_("Replayed %(count)s webhook deliveries") % {"count": len(picked)},
           details={"deliveries": [pk for pk, _e in picked]})
    transaction.on_commit(deliver_soon)
    return len(picked)


def dead_lettered(delivery) -> None:
    """A delivery given up: the system administrators are told (inbox), once per delivery."""
    from tongban.accounts.models import User as Account
    from tongban.accounts.roles import Role
    from tongban.notify.services import notify

    admins = Account.objects.filter(memberships__role=Role.SYSADMIN, is_active=True).distinct()
    with transaction.atomic():
        notify(event="interop.dead_letter", recipients=list(admins), key=f"webhook-dead:{delivery.pk}",
               context={"client": delivery.subscription.client.name, "event": delivery.event.type,
                        "url": delivery.subscription.url},
               link=reverse("interop:dead"), obj=delivery)


@transaction.atomic
def add_push_target(*, actor: User, client: ApiClient, service, url: str, fields: list[str]):
    """Make `client` a push target of `service` (whose effect is `interop.push`): each
    completed case goes to `url` with the answers named in `fields`. Return the
    subscription and its signing secret, shown once."""
    from tongban.interop.models import Subscription

    authorize(actor, Action.INTEROP_MANAGE)
    client = _locked(client)
    if not client.is_active:
        raise StateConflict("client_revoked", _("This client is revoked."))
    if Scope.RESULTS_WRITE not in client.scopes:
        raise ApplicationError("scope_missing", _("The client was not granted the scope to take results."),
                               field="service")
    if service.effect != "interop.push":
        raise ApplicationError("not_pushed", _("The service's effect is not a push to other systems."),
                               field="service")
    if not url.startswith(("https://", "http://")):
        raise ApplicationError("bad_url", _("The receiving URL must start with https:// or http://."), field="url")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    subscription = Subscription.objects.create(client=client, url=url, event_types=["case.pushed"],
                                               service=service, fields=sorted(set(fields)), secret=secret)
    record(actor=actor, action="interop.push_target", obj=subscription,
           summary=_("%(service)s pushes its results to %(client)s") % {"service": service.name,
                                                                         "client": client.name},
           details={"url": url, "service": service.code, "fields": subscription.fields})
    return subscription, secret


# --- to-dos from other systems (消息通) ---------------------------------------------------
def _https_only(url: str) -> str:
    if not url.startswith("https://"):
        raise ApplicationError("bad_url", _("The link must be an https address."), field="url")
    return url


@transaction.atomic
def push_todo(*, client: ApiClient, person, external_id: str, title: str, url: str,
              due=None) -> tuple[ExternalTodo, bool]:
    """Put a system's to-do on a person's list, or update the one it pushed under the same
    `external_id` (a repeated push changes nothing twice). The person must be within the
    client's units (the caller looked them up through `selectors.people_for`). Returns the
    row and whether it was new; reopens one the system had marked done."""
    title, external_id = title.strip(), external_id.strip()
    if not title:
        raise ApplicationError("required", _("A to-do needs a title."), field="title")
    _https_only(url)
    todo, created = ExternalTodo.objects.select_for_update().get_or_create(
        client=client, external_id=external_id,
        defaults={"person": person, "title": title[:200], "url": url, "due": due})
    if not created:
        if todo.person_id != person.pk:
            raise StateConflict("other_person", _("This to-do ID is already used for another person."),
                                field="external_id")
        changed = (todo.title, todo.url, todo.due, todo.done_at) != (title[:200], url, due, None)
        if not changed:
            return todo, False
        todo.title, todo.url, todo.due, todo.done_at = title[:200], url, due, None
        todo.updated_at = timezone.now()
        todo.save(update_fields=["title", "url", "due", "done_at", "updated_at"])
    record(actor=None, action="interop.todo_pushed", obj=todo,
           summary=_("%(client)s put a to-do on the list of %(person)s: %(title)s") % {
               "client": client.name, "person": person.name, "title": todo.title},
           details={"client_id": client.client_id, "external_id": external_id, "created": created})
    return todo, created


@transaction.atomic
def finish_todo(*, client: ApiClient, external_id: str) -> ExternalTodo:
    """The system says its to-do is done (or withdrawn): it leaves the person's list."""
    todo = ExternalTodo.objects.select_for_update().filter(client=client, external_id=external_id).first()
    if todo is None:
        raise ApplicationError("not_found", _("No such to-do."), field="external_id")
    if todo.done_at is None:
        todo.done_at = timezone.now()
        todo.save(update_fields=["done_at"])
        record(actor=None, action="interop.todo_done", obj=todo,
               summary=_("%(client)s took a to-do off the list: %(title)s") % {
                   "client": client.name, "title": todo.title},
               details={"client_id": client.client_id, "external_id": external_id})
    return todo
