"""Writing messages. Call `notify` inside the service function whose change causes the
message: the rows commit with the change or not at all, and after commit the relay is
kicked. A message that is never kicked (a crash between commit and kick, the queue
down) is still found by the relay's sweep a minute later."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.accounts import throttle
from tongban.accounts.access import authorize
from tongban.accounts.models import User
from tongban.accounts.roles import Action
from tongban.audit.services import record
from tongban.lib.bulk import copy_rows, insert_rows
from tongban.lib.errors import ApplicationError, NotAllowed
from tongban.lib.masking import redact
from tongban.notify import events, rendering
from tongban.notify.events import Channel
from tongban.notify.message_templates import check_template, wording
from tongban.notify.models import Message, OptOut, Preference, Template

log = logging.getLogger(__name__)

BATCH = 2_000
PRECHECK_FROM = 50  # rows of a batch: fewer (an act's few messages) just rely on the unique key
COPY_FROM = 200
TEST_PER_HOUR = 3  # test messages per account: each text is paid for by the office


def _kick() -> None:
    from tongban.notify.tasks import relay_now

    try:
        relay_now()
    except Exception:  # the queue being down must not fail the page; the sweep delivers
        log.exception("could not kick the message relay; the minute sweep will deliver")


def chosen_channels(kind: events.Kind, preferred: list[str] | None) -> set[str]:
    """The channels a kind goes out on for one person: their choice, or the kind's
    defaults; a mandatory kind always keeps its defaults; the inbox always."""
    channels = set(kind.default_channels if preferred is None else preferred)
    if kind.mandatory:
        channels |= set(kind.default_channels)
    channels.add(Channel.INBOX)
    return channels


def _choices_and_reach(users: list[User], kind: str) -> tuple[dict[int, list[str]], dict[int, set[str]]]:
    """Each user's chosen channels for `kind` (absent: none chosen) and the channels
    they have an address for (a phone that opted out of texts is none). One
    written-out statement: every act that tells someone asks, and Django's compiling
    of the two reads it replaces cost more than both."""
    from tongban.people.models import Person

    if not users:
        return {}, {}
    quote = connection.ops.quote_name
    user_t, pref_t, person_t, out_t = (quote(m._meta.db_table) for m in (User, Preference, Person, OptOut))
    channels = Preference._meta.get_field("channels")
    prefs, with_phone = {}, set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, p.channels, EXISTS (SELECT 1 FROM {person_t} pp WHERE pp.account_id = u.id "
            f"AND pp.phone_enc <> '' AND NOT EXISTS (SELECT 1 FROM {out_t} o WHERE o.person_id = pp.id "
            f"OR (o.phone_index = pp.phone_index AND pp.phone_index <> ''))) "
            f"FROM {user_t} u LEFT JOIN {pref_t} p ON p.user_id = u.id AND p.kind = %s "
            f"WHERE u.id IN ({', '.join(['%s'] * len(users))})", [kind, *(u.pk for u in users)])
        for pk, chosen, phone in cursor.fetchall():
            if chosen is not None:
                prefs[pk] = channels.from_db_value(chosen, None, connection)
            if phone:
                with_phone.add(pk)
    reach = {}
    for user in users:
        have = {Channel.INBOX}
        if user.email:
            have.add(Channel.EMAIL)
        if user.pk in with_phone:
            have.add(Channel.SMS)
        if user.wechat_openid:
            have.add(Channel.WECHAT)
        reach[user.pk] = have
    return prefs, reach


def opted_out():
    """The opt-outs of the person in the outer query (theirs, or their phone's)."""
    return OptOut.objects.filter(Q(person_id=OuterRef("pk"))
                                 | (Q(phone_index=OuterRef("phone_index")) & ~Q(phone_index="")))


def textable(person_ids: Iterable[int]) -> set[int]:
    """The people among `person_ids` a text can reach: a phone on their record, and
    neither they nor that phone opted out."""
    from tongban.people.models import Person

    ids = list(person_ids)
    if not ids:
        return set()
    return set(Person.objects.filter(pk__in=ids).exclude(phone_enc="").exclude(Exists(opted_out()))
               .values_list("pk", flat=True))


class Reach:
    """How an outgoing message reached its person, as a batch's result counts them."""

    INBOX = "inbox"  # their account's inbox (and the channels they chose)
    SMS = "sms"  # no account: a text to the phone on their record
    NONE = "none"  # no account, and no phone a text may go to (none, or opted out)


@dataclass
class Outgoing:
    """One recipient's message of an event: its business key, its values, and what it
    is about (a sweep's reminder per loan, each with its own key and values).

    The recipient is an account (`user`), or a person with none yet (`user` None,
    `person` given): such a person is texted at the phone on their record, when the
    event has an SMS wording, its kind goes out by text and no opt-out stands."""

    user: User | None
    key: str
    context: dict
    link: str = ""
    obj: Any = None
    person: Any = None

    @classmethod
    def for_person(cls, person, key: str, context: dict, link: str = "", obj: Any = None) -> Outgoing:
        """To a person: their account when they have bound one (its preferences and
        channels), else the phone on their record."""
        return cls(person.account if person.account_id else None, key, context, link, obj, person)


def notify(
    *,
    event: str,
    recipients: Iterable[User],
    key: str,
    context: dict | None = None,
    context_for: Callable[[User], dict] | None = None,
    link: str = "",
    obj=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Queue `event` for every recipient on each channel chosen for them, in the
    caller's transaction; return the number of rows offered (rows whose key already
    exists are skipped by the database).

    `key` names the business fact ("loan:17:due:2026-11-24"); with the recipient and
    channel it makes each row's unique key, so calling again for the same fact (a
    sweep run twice, on two workers) writes nothing more. `context` is shared,
    `context_for(user)` adds per-recipient values; `name` defaults to the recipient's
    display name. Every variable the event declares must be given. Values that look
    like ID numbers are masked before they are stored."""
    return notify_each(event=event, progress=progress, outgoing=(
        Outgoing(user, key, {**(context or {}), **(context_for(user) if context_for else {})}, link, obj)
        for user in recipients))


def notify_each(*, event: str, outgoing: Iterable[Outgoing], progress: Callable[[int], None] | None = None,
                tally: Counter | None = None) -> int:
    """`notify` for messages that differ per recipient in key, values or object, in
    batches that each read the recipients' choices and addresses once. `tally`, if
    given, counts each outgoing message under how it reached its person (`Reach`)."""
    declared = events.get(event)
    kind = events.KINDS[declared.kind]
    templates = wording(event)
    if Channel.INBOX not in templates:
        raise LookupError(f"event {event!r} has no inbox template")
    now = timezone.now()
    written = 0
    # no savepoint (two statements fewer for every message sent from an act): a failure
    # here fails the caller's whole transaction, as the rows must commit with the change
    with transaction.atomic(savepoint=False):
        pending = iter(outgoing)
        while batch := [o for _, o in zip(range(BATCH), pending, strict=False)]:
            users = list({o.user.pk: o.user for o in batch if o.user is not None}.values())
            prefs, reach = _choices_and_reach(users, kind.key)
            texted = textable(o.person.pk for o in batch if o.user is None and o.person is not None)
            by_text = Channel.SMS in templates and Channel.SMS in chosen_channels(kind, None)
            planned = []
            for o in batch:
                if o.user is None and (o.person is None or not by_text or o.person.pk not in texted):
                    if tally is not None:
                        tally[Reach.NONE] += 1
                    continue
                values = {"name": str(o.user) if o.user is not None else o.person.name, **o.context}
                missing = [v for v in declared.variables if v not in values]
                if missing:
                    raise KeyError(f"event {event!r} needs {missing}")
                values = redact({k: str(values[k]) for k in declared.variables})
                if o.user is None:
                    # the text is the person's only message: it stands for the inbox row
                    sms = row_key(o.key, f"p{o.person.pk}", Channel.SMS)
                    planned.append((o, values, Channel.SMS, sms))
                    if tally is not None:
                        tally[Reach.SMS] += 1
                    continue
                inbox = row_key(o.key, o.user.pk, Channel.INBOX)
                for channel in chosen_channels(kind, prefs.get(o.user.pk)) & reach[o.user.pk]:
                    if channel in templates:
                        planned.append((o, values, channel, inbox))
                if tally is not None:
                    tally[Reach.INBOX] += 1
            # A sweep run again has most of its rows already: they are found before
            # rendering, by the inbox row each message has and writes with its others
            # (a person's text, which has none, by itself).
            have = _existing(list({p[3] for p in planned})) if len(planned) > PRECHECK_FROM else set()
            _insert([_row(templates[channel], o.user, values, key=o.key, person=o.person, now=now, link=o.link,
                          kind=kind.key,
                          object_type=o.obj._meta.label_lower if o.obj is not None else "",
                          object_id=str(o.obj.pk) if o.obj is not None else "")
                     for o, values, channel, inbox in planned if inbox not in have])
            written += len(planned)
            if progress:
                progress(written)
        if written:
            transaction.on_commit(_kick)
    return written


def _existing(keys: list[str]) -> set[str]:
    if connection.vendor != "postgresql":
        return set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    # one array parameter: thousands of placeholders cost more to send than to answer
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {connection.ops.quote_name(Message._meta.db_table)} WHERE key = ANY(%s)",
                       [keys])
        return {key for (key,) in cursor.fetchall()}


def _insert(rows: list[dict]) -> None:
    """Write the rows, skipping any whose key exists (an act's few: one written-out
    INSERT, not bulk_create's compiling). Many rows on PostgreSQL go by COPY (a sweep's
    tens of thousands); should another worker have written one of the keys meanwhile,
    the batch is written again the careful way."""
    if connection.vendor == "postgresql" and len(rows) > COPY_FROM:
        try:
            with transaction.atomic():
                copy_rows(Message, rows)
            return
        except IntegrityError:
            pass
    insert_rows(Message, rows, skip_taken=True)


@functools.lru_cache(maxsize=256)
def _params_of(body: str) -> dict[str, str]:
    """A provider template's parameter lines, parsed once per wording (read-only)."""
    return rendering.parse_params(body, field="body")


def _rendered(template, values: dict) -> dict:
    """Subject, body and provider parameters of `template` for these values. A
    subject is one line (a newline in a mail header could never be sent)."""
    subject = " ".join(rendering.render(template.subject, values).split())
    params: dict[str, str] = {}
    if template.channel in (Channel.SMS, Channel.WECHAT):
        params = {k: rendering.render(v, values) for k, v in _params_of(template.body).items()}
        body = "\n".join(f"{k}={v}" for k, v in params.items())
    else:
        body = rendering.render(template.body, values)
    return {"subject": subject[:200], "body": body, "params": params,
            "provider_template": template.provider_template}


def row_key(key: str, user_id: int | str, channel: str) -> str:
    """The row's unique key (`user_id` an account's id, or "p<id>" for a person with
    none). A long business key is hashed so that the recipient and channel are never
    cut off (which would make recipients collide)."""
    if len(key) > 150:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return f"{key}:{user_id}:{channel}"


def _row(template, user, values: dict, **fields) -> dict:
    """A message row's values by attribute name (the fields left out take their
    defaults)."""
    channel = template.channel
    inbox = channel == Channel.INBOX
    now = fields["now"]
    to = user.pk if user is not None else f"p{fields['person'].pk}"
    return {
        "key": row_key(fields["key"], to, channel), "recipient_id": user.pk if user is not None else None,
        "person_id": None if user is not None else fields["person"].pk, "channel": channel,
        "event": template.event, "kind": fields["kind"], "context": values, **_rendered(template, values),
        "link": fields["link"], "object_type": fields["object_type"], "object_id": fields["object_id"],
        # the inbox row is the delivery: it is there the moment the change commits
        "status": Message.Status.SENT if inbox else Message.Status.PENDING,
        "sent_at": now if inbox else None, "next_attempt_at": None if inbox else now, "created_at": now,
    }


def check_preference(*, kind: str, channels: Iterable[str]) -> set[str]:
    """The checks of `set_preference` (for a form, before anything is saved): an
    unknown kind or channel, a mandatory kind without its defaults. Returns the channels
    that would be stored (the inbox always among them)."""
    if kind not in events.KINDS:
        raise ApplicationError("unknown_kind", _("No such kind of message"), field="kind")
    chosen = set(channels)
    unknown = chosen - set(Channel.ALL)
    if unknown:
        raise ApplicationError("unknown_channel", _("No channel named %(channel)s") % {
            "channel": sorted(unknown)[0]}, field="channels")
    declared = events.KINDS[kind]
    if declared.mandatory and not set(declared.default_channels) <= chosen | {Channel.INBOX}:
        raise ApplicationError("mandatory_kind", _("Messages of the kind “%(kind)s” cannot be turned off") % {
            "kind": declared.label}, field="channels")
    return chosen | {Channel.INBOX}


def set_preference(*, actor: User, kind: str, channels: Iterable[str]) -> Preference:
    """Choose the channels for one kind of message. The inbox is always on; a
    mandatory kind (restrictions, legal deadlines) refuses dropping its defaults."""
    chosen = check_preference(kind=kind, channels=channels)
    declared = events.KINDS[kind]
    with transaction.atomic():
        preference, created = Preference.objects.select_for_update().get_or_create(user=actor, kind=kind)
        old = None if created else sorted(preference.channels)
        preference.channels = sorted(chosen)
        preference.save(update_fields=["channels", "updated_at"])
        labels = pgettext("list separator", ", ").join(str(Channel.LABELS[c]) for c in sorted(chosen))
        record(actor=actor, action="notify.preference", obj=preference,
               summary=_("Notification preference: %(kind)s → %(channels)s") % {
                   "kind": declared.label, "channels": labels},
               details={"kind": kind, "old": old, "new": sorted(chosen)})
    return preference


def set_preferences(*, actor: User, choices: dict[str, Iterable[str]]) -> list[Preference]:
    """The preferences page's save: every kind's channels, in one transaction, so a
    refused kind leaves the others as they were too."""
    with transaction.atomic():
        return [set_preference(actor=actor, kind=kind, channels=channels) for kind, channels in choices.items()]


def mark_read(*, actor: User, message_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own inbox messages read (all of them when no ids are given).
    Reading is the reader's own state, not business data: not put on the trail."""
    qs = Message.objects.filter(recipient=actor, channel=Channel.INBOX, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=list(message_ids))
    return qs.update(read_at=timezone.now())


def retry_dead(*, actor: User, message_ids: Iterable[int]) -> int:
    """Give dead messages another round of attempts (an admin fixed the address,
    the template or the provider settings)."""
    authorize(actor, Action.NOTIFY_MANAGE)
    ids = list(message_ids)
    with transaction.atomic():
        qs = Message.objects.select_for_update().filter(pk__in=ids, status=Message.Status.DEAD)
        chosen = list(qs.values_list("pk", flat=True))
        if not chosen:
            return 0
        # with the wording as it is now: the admin may have fixed the template
        for message in Message.objects.filter(pk__in=chosen):
            template = wording(message.event, fresh=True).get(message.channel)
            if template is not None:
                for name, value in _rendered(template, message.context).items():
                    setattr(message, name, value)
            message.status, message.attempts, message.next_attempt_at = Message.Status.PENDING, 0, timezone.now()
            message.error, message.claim, message.lease_until = "", "", None
            message.save()
        record(actor=actor, action="notify.retry", object_type="notify.message",
               object_id=",".join(map(str, chosen))[:64],
               summary=_("%(count)s given-up messages sent again") % {"count": len(chosen)},
               details={"messages": chosen})
        transaction.on_commit(_kick)
    return len(chosen)


def send_test_message(*, actor: User) -> int:
    """Send the actor a test message on every channel they receive account messages
    on, so they can see each one works. At most TEST_PER_HOUR an hour per account
    (each text is paid for by the office): more are refused with a message."""
    if not actor.is_authenticated:
        raise NotAllowed("login_required", _("Please log in first."))
    limit = TEST_PER_HOUR
    # counted before sending, atomically (cache.incr), so two tabs cannot both take the last one
    if throttle.fail("notify-test", str(actor.pk), window=3600) > limit:
        raise ApplicationError("too_many_tests", _("At most %(limit)s test notifications an hour; please try again "
                                                   "later.") % {
            "limit": limit})
    now = timezone.localtime()
    with transaction.atomic():
        return notify(event="notify.test", recipients=[actor], key=f"notify.test:{now.timestamp():.0f}",
                      context={"time": now.strftime("%Y-%m-%d %H:%M")}, link=reverse("notify:inbox"))


def backoff(attempts: int, *, base: int, cap: int) -> timedelta:
    """1st retry after `base` seconds, doubling each time, never more than `cap`."""
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def check_opt_out(*, actor: User, reason: str, person=None, phone: str = "") -> dict:
    """The checks of `record_opt_out` (for a form, before it saves); returns the row's
    lookup and values."""
    from tongban.lib import crypto
    from tongban.lib.masking import mask_phone

    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason_required", _("Please give the reason for the opt-out"), field="reason")
    phone = "".join(phone.split())
    if (person is None) == (not phone):
        raise ApplicationError("opt_out_whom", _("Please give a person or a mobile number (one of the two)"),
                               field="phone")
    if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        raise ApplicationError("bad_phone", _("A mobile number has 11 digits"), field="phone")
    if person is not None:
        authorize(actor, Action.PEOPLE_EDIT, unit=person.org_unit)
        return {"lookup": {"person": person}, "reason": reason[:200], "phone_masked": ""}
    authorize(actor, Action.NOTIFY_MANAGE)
    return {"lookup": {"phone_index": crypto.blind_index(phone, purpose="phone")}, "reason": reason[:200],
            "phone_masked": mask_phone(phone)}


def record_opt_out(*, actor: User, reason: str, person=None, phone: str = "") -> OptOut:
    """Record that a person, or a phone number, takes no more text messages (they
    replied TD/退订, called the office, the number is someone else's). A person's needs
    people.edit over their unit; a bare number, notify.manage. Recording one already
    standing returns it unchanged."""
    checked = check_opt_out(actor=actor, reason=reason, person=person, phone=phone)
    with transaction.atomic():
        opt_out, created = OptOut.objects.get_or_create(**checked["lookup"], defaults={
            "reason": checked["reason"], "recorded_by": actor, "phone_masked": checked["phone_masked"]})
        if created:
            whom = person.name if person is not None else opt_out.phone_masked
            record(actor=actor, action="notify.opt_out", obj=opt_out,
                   summary=_("SMS opt-out recorded: %(whom)s") % {"whom": whom},
                   details={"person": person.pk if person is not None else None,
                            "phone": opt_out.phone_masked, "reason": opt_out.reason})
    return opt_out


def lift_opt_out(*, actor: User, opt_out: OptOut) -> None:
    """Texts may go again to that person or number (they asked to receive them)."""
    if opt_out.person_id:
        authorize(actor, Action.PEOPLE_EDIT, unit=opt_out.person.org_unit)
    else:
        authorize(actor, Action.NOTIFY_MANAGE)
    with transaction.atomic():
        deleted, _rows = OptOut.objects.filter(pk=opt_out.pk).delete()
        if deleted:
            record(actor=actor, action="notify.opt_in", object_type="notify.optout", object_id=str(opt_out.pk),
                   summary=_("SMS opt-out lifted: %(whom)s") % {
                       "whom": opt_out.phone_masked or opt_out.person.name},
                   details={"person": opt_out.person_id, "phone": opt_out.phone_masked})


TEMPLATE_FIELDS = ("event", "channel", "subject", "body", "provider_template", "enabled")


def save_template(*, actor: User, template: Template) -> Template:
    """Save a template as edited in the back office (new, or changed), checked first
    (see `message_templates.check_template`: an enabled channel with nothing to send is
    refused naming it), with the old and new wording on the trail."""
    authorize(actor, Action.NOTIFY_MANAGE)
    check_template(**{f: getattr(template, f) for f in TEMPLATE_FIELDS})
    new = {f: getattr(template, f) for f in TEMPLATE_FIELDS}
    with transaction.atomic():
        old = (Template.objects.select_for_update().filter(pk=template.pk).values(*TEMPLATE_FIELDS).first()
               if template.pk else None)
        if old == new:
            return template
        template.save()
        changed = [f for f in TEMPLATE_FIELDS if old is None or old[f] != new[f]]
        record(actor=actor, action="notify.template_save", obj=template,
               summary=(_("Message template changed: %(template)s") if old else
                        _("Message template created: %(template)s")) % {"template": template},
               details={"old": {f: old[f] for f in changed} if old else None, "new": {f: new[f] for f in changed}})
    return template
