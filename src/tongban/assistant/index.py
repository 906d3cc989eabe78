"""The assistant's index: every published service's guide (its frozen, published
version), the FAQ entries, and the booking and loan rules, as documents of a BM25 index
(tongban.lib.textsearch) kept in the process.

It is rebuilt when the catalog says a service was published or unpublished
(tongban.catalog.listeners), when an FAQ entry changes, and when another process
changed what it is built from (a stamp of the sources, checked every few seconds). A
build that fails keeps the last good index answering and tells the staff (notify)."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.lib.textsearch import Analyzer, Document, Index

log = logging.getLogger(__name__)
KNOWLEDGE = Path(__file__).with_name("knowledge.json")
CHECK_EVERY = 5.0  # seconds between two looks at the sources' stamp
REBUILD_EVERY = 600.0  # and a rebuild at least this often (rules edited in place leave no stamp)


@cache
def knowledge() -> dict:
    return json.loads(KNOWLEDGE.read_text(encoding="utf-8"))


@cache
def analyzer() -> Analyzer:
    data = knowledge()
    return Analyzer(words=data["words"], synonyms=data["synonyms"], stopwords=data["stopwords"])


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    unit: str
    audience: tuple[str, ...]
    effect: str
    guide: dict
    materials: list[dict]
    fields: str  # the labels and options of the form's own questions (not prefilled): found by, never quoted


@dataclass(frozen=True)
class Entry:
    """What a document of the index is: a service's guide, an FAQ entry, a rule."""

    kind: str  # "guide", "faq", "booking", "loan"
    service: str | None  # the code of the service it answers for
    title: str = ""
    lines: tuple[str, ...] = ()
    link: str = ""


@dataclass
class Built:
    index: Index
    entries: dict[str, Entry]
    services: dict[str, Service]
    stamp: tuple
    built_at: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_current: Built | None = None
_stale = True
_checked_at = 0.0


def stamp() -> tuple:
    """What changes when a source changes: published versions, FAQ entries, rules."""
    from tongban.assistant.models import FAQ
    from tongban.booking.models import Resource, Rule
    from tongban.catalog.models import ServiceItem
    from tongban.loans.models import Policy

    services = ServiceItem.objects.filter(is_published=True).aggregate(n=Count("pk"), v=Max("current_version_id"))
    faqs = FAQ.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    return (services["n"], services["v"], faqs["n"], str(faqs["t"]), Rule.objects.count(),
            Resource.objects.filter(is_active=True).count(), Policy.objects.filter(active=True).count())


def _services() -> dict[str, Service]:
    from tongban.catalog.selectors import published, version_config

    found = {}
    for item in published():
        if item.current_version_id is None:  # published() keeps none of these
            continue
        config = version_config(item.current_version_id)
        it = config["item"]
        found[item.code] = Service(code=item.code, name=it["name"], unit=item.org_unit.name,
                                   audience=tuple(it.get("audience") or ()), effect=it.get("effect", ""),
                                   guide=it["guide"], materials=config["materials"],
                                   fields=" ".join(f"{f['label']} {' '.join(f.get('options') or [])}"
                                                   for f in config["fields"] if not f.get("prefill")))
    return found


def audience(service: Service) -> str:
    """Whom the service is for, in words (学生, 教职工, 居民 …): found by, never quoted."""
    from tongban.catalog.models import Audience

    labels = dict(Audience.choices)
    return " ".join(str(labels.get(a, "")) for a in service.audience)


def _booking_lines(resource, rule) -> list[str]:
    lines = []
    if rule is not None:
        lines.append(_("%(name)s takes bookings up to %(days)s days ahead, released each day at %(time)s, at least "
                       "%(notice)s hours before the time booked.")
                     % {"name": resource.name, "days": rule.open_days_ahead, "time": rule.open_time.strftime("%H:%M"),
                        "notice": rule.min_notice_hours})
        lines.append(_("At most %(limit)s bookings a week per person; cancel or change one at least %(cutoff)s hours "
                       "before it starts.") % {"limit": rule.weekly_limit, "cutoff": rule.cancel_cutoff_hours})
    lines.append(_("%(limit)s no-shows within %(days)s days bar booking for %(bar)s days.")
                 % {"limit": resource.no_show_limit, "days": resource.no_show_days,
                    "bar": resource.no_show_restrict_days})
    if resource.place:
        lines.append(_("Place: %(place)s") % {"place": resource.place})
    return lines


def _loan_lines(policy) -> list[str]:
    kind = _("working days") if policy.working_days else _("days")
    lines = [_("The %(item)s is lent for %(days)s %(kind)s; a reminder comes %(remind)s days before it is due.")
             % {"item": policy.name, "days": policy.days, "kind": kind, "remind": policy.remind_days_before}]
    if policy.restrict_when_overdue:
        lines.append(_("Not returned by the due date, booking and applying are restricted; the restriction is lifted "
                       "when it is returned.") if policy.lift_on_return else
                     _("Not returned by the due date, booking and applying are restricted until the office lifts it."))
    return lines


def build() -> Built:
    """Read the sources and build a new index (raises whatever reading or building raises)."""
    from django.urls import reverse

    from tongban.assistant.models import FAQ
    from tongban.booking.models import Resource
    from tongban.loans.models import Policy

    with translation.override("zh-hans"):
        current_stamp = stamp()
        services = _services()
        docs: list[Document] = []
        entries: dict[str, Entry] = {}
        for code, s in services.items():
            g = s.guide
            materials = " ".join(f"{m['name']} {m.get('description', '')}" for m in s.materials)
            docs.append(Document(f"guide:{code}", [
                (s.name, 4), (g.get("conditions", ""), 1), (g.get("process", ""), 1), (materials, 2),
                (g.get("place_hours", ""), 1), (g.get("faq", ""), 1), (s.fields, 1), (audience(s), 1)]))
            entries[f"guide:{code}"] = Entry("guide", code, s.name)
        for faq in FAQ.objects.filter(is_active=True, service__code__in=list(services)).select_related("service"):
            key = f"faq:{faq.pk}"
            docs.append(Document(key, [(faq.question, 3), (faq.answer, 1), (services[faq.service.code].name, 1)]))
            entries[key] = Entry("faq", faq.service.code, faq.question, (faq.answer,))
        for resource in Resource.objects.filter(is_active=True).prefetch_related("services", "rules"):
            served = [s.code for s in resource.services.all() if s.code in services]
            rules = list(resource.rules.all())
            rule = next((r for r in rules if r.service_id is None), rules[0] if rules else None)
            lines = _booking_lines(resource, rule)
            key = f"booking:{resource.pk}"
            names = " ".join(services[c].name for c in served)
            docs.append(Document(key, [(_("Booking an appointment"), 3), (resource.name, 2), (names, 1),
                                       (" ".join(lines), 1)]))
            entries[key] = Entry("booking", served[0] if len(served) == 1 else None, resource.name, tuple(lines),
                                 reverse("booking:resource", args=[resource.pk]))
        for policy in Policy.objects.filter(active=True).select_related("service"):
            lent_for = policy.service.code if policy.service is not None else None
            if lent_for not in services:
                lent_for = None
            lines = _loan_lines(policy)
            key = f"loan:{policy.pk}"
            docs.append(Document(key, [(policy.name, 3), (_("Borrowing and returning"), 2),
                                       (services[lent_for].name if lent_for else "", 1), (" ".join(lines), 1)]))
            entries[key] = Entry("loan", lent_for, policy.name, tuple(lines))
        index = Index.build(analyzer(), docs)
    return Built(index=index, entries=entries, services=services, stamp=current_stamp)


def current() -> Built | None:
    """The index to answer from: rebuilt first when it is stale; the last good one when
    a rebuild fails; None only if none could ever be built (the caller says it is not sure)."""
    global _current, _stale, _checked_at
    now = time.monotonic()
    built = _current
    if built is not None and not _stale and now - _checked_at < CHECK_EVERY:
        return built
    with _lock:
        built = _current
        now = time.monotonic()
        if built is not None and not _stale and now - _checked_at < CHECK_EVERY:
            return built
        _checked_at = now
        try:
            if built is not None and not _stale and now - built.built_at < REBUILD_EVERY and stamp() == built.stamp:
                return built
            _current = build()
            _stale = False
        except Exception as exc:  # keep answering from the last good index
            log.exception("the assistant's index could not be rebuilt")
            _stale = False  # tried: look again at the next check, not at every question
            _alert(exc)
        return _current


def mark_stale() -> None:
    global _stale
    _stale = True


def catalog_changed(*, item) -> None:
    """tongban.catalog.listeners: a service was published or unpublished."""
    mark_stale()


def reset() -> None:
    """Forget the index (tests)."""
    global _current, _stale, _checked_at
    with _lock:
        _current, _stale, _checked_at = None, True, 0.0


def _alert(exc: Exception) -> None:
    """Tell the service admins and system administrators, once per kind of failure and day."""
    from django.utils import timezone

    from tongban.accounts.models import User
    from tongban.accounts.roles import Role
    from tongban.notify.services import notify

    try:
        staff = list(User.objects.filter(memberships__role__in=[Role.SERVICE_ADMIN, Role.SYSADMIN],
                                         is_active=True).distinct())
        error = f"{type(exc).__name__}: {exc}"[:200]
        with transaction.atomic():
            notify(event="assistant.index_failed", recipients=staff,
                   key=f"assistant-index:{timezone.localdate()}:{type(exc).__name__}", context={"error": error})
    except Exception:  # the alert itself failing must not stop the answer
        log.exception("could not alert the staff that the assistant's index failed")
