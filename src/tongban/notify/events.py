"""What the project can tell people: kinds of message (what a person chooses channels
for) and events (one thing that happened, with the variables its templates may use).

An app declares its events here, in code, next to the shipped Chinese wording; the
wording lives on as editable Template rows (see `message_templates.ensure_defaults`). Kinds that
are `mandatory` (restrictions, legal deadlines) cannot be turned off by a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise  # a word, or a lazy translation of it (made into text when shown)


class Channel:
    INBOX = "inbox"
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"

    CHOICES = [(INBOX, _("Inbox")), (EMAIL, _("Email")), (SMS, _("SMS")), (WECHAT, _("WeChat"))]
    LABELS = dict(CHOICES)
    ALL = (INBOX, EMAIL, SMS, WECHAT)
    # Channels that call out and are delivered by the relay; the inbox is the row itself.
    RELAYED = (EMAIL, SMS, WECHAT)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Text
    default_channels: tuple[str, ...]
    mandatory: bool = False


@dataclass(frozen=True)
class EventType:
    key: str
    kind: str
    label: Text
    # variable name -> what it is (shown to the admin editing the template)
    variables: Mapping[str, Text]
    # channel -> (subject, body); for SMS and WeChat the body is one "param=text" per line
    defaults: Mapping[str, tuple[Text, Text]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}
EVENTS: dict[str, EventType] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def register(event: EventType) -> EventType:
    if event.kind not in KINDS:
        raise ValueError(f"unknown message kind {event.kind!r} for event {event.key!r}")
    EVENTS[event.key] = event
    return event


def get(key: str) -> EventType:
    try:
        return EVENTS[key]
    except KeyError:
        raise LookupError(f"no message event {key!r} is registered") from None


register_kind(Kind("account", _("Account and security"), (Channel.INBOX, Channel.EMAIL)))
register_kind(Kind("case", _("Case progress"), (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("booking", _("Booking reminders"), (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("loan", _("Borrowing and returning"), (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("restriction", _("Restrictions and blacklists"), (Channel.INBOX, Channel.SMS), mandatory=True))
register_kind(Kind("deadline", _("Legal deadlines"), (Channel.INBOX, Channel.SMS), mandatory=True))
register_kind(Kind("task", _("Tasks and follow-ups"), (Channel.INBOX, Channel.EMAIL)))

register(EventType(
    "notify.test", "account", _("Test notification"),
    {"name": _("Recipient's name"), "time": _("Time sent")},
    {
        Channel.INBOX: (_("Test notification"),
                        _("{name}, this is a test notification, sent at {time}. Receiving it means the channel "
                          "works.")),
        Channel.EMAIL: (_("[Tongban] Test notification"),
                        _("{name}:\n\nThis is a test notification, sent at {time}. Receiving it means the channel "
                          "works.\n\nTongban")),
        Channel.SMS: ("", "name={name}\ntime={time}"),
        Channel.WECHAT: ("", _("first=Test notification\nkeyword1={name}\nkeyword2={time}\n"
                               "remark=Receiving this means WeChat notifications work.")),
    },
))
register(EventType(
    "people.import_finished", "task", _("People import finished"),
    {"name": _("Recipient's name"), "file": _("File name"), "created": _("People added"),
     "updated": _("People updated"), "refused": _("Rows not imported")},
    {
        Channel.INBOX: (_("People import finished"),
                        _("The file “{file}” was imported: {created} added, {updated} updated, {refused} rows not "
                          "imported.")),
        Channel.EMAIL: (_("[Tongban] People import finished"),
                        _("{name}:\n\nThe file “{file}” was imported: {created} added, {updated} updated, "
                          "{refused} rows not imported. The rows not imported are listed in the report to download "
                          "in the workbench.\n\nTongban")),
    },
))
