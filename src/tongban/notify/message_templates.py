"""Templates of message wording (not Django templates): the shipped defaults as rows,
checking a template before it is saved, and finding the wording of an event on each channel."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.lib.configcache import ConfigCache
from tongban.lib.errors import ApplicationError
from tongban.notify import events, rendering
from tongban.notify.events import Channel
from tongban.notify.models import Template


def ensure_defaults() -> int:
    """Create a row for every shipped (event, channel) wording not yet in the table;
    return how many were created. Edited rows are left as they are. The rows hold the
    wording in the active language, or the site's (LANGUAGE_CODE) where none is active,
    as under `migrate`, which runs without one."""
    have = set(Template.objects.values_list("event", "channel"))
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        new = [
            Template(event=event.key, channel=channel, subject=str(subject), body=str(body))
            for event in events.EVENTS.values()
            for channel, (subject, body) in event.defaults.items()
            if (event.key, channel) not in have
        ]
    Template.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def ensure_defaults_after_migrate(**kwargs) -> None:
    ensure_defaults()


def check_template(*, event: str, channel: str, subject: str, body: str, provider_template: str,
                   enabled: bool = True) -> None:
    """Refuse wording that could not be rendered for this event: an unknown event, a
    variable the event does not provide, malformed placeholders, a malformed parameter
    list; and an enabled template with nothing to send (an empty body, no parameter,
    a parameter with no text), naming the channel. The inbox template cannot be turned
    off: every message of the event is its inbox row first."""
    try:
        declared = events.get(event)
    except LookupError:
        raise ApplicationError("template_unknown_event", _("No event named %(event)s") % {"event": event},
                               field="event") from None
    label = Channel.LABELS.get(channel, channel)
    if channel == Channel.INBOX and not enabled:
        raise ApplicationError("template_inbox_required", _("The inbox template cannot be turned off: every "
                                                            "notification goes to the inbox first"),
                               field="enabled")
    rendering.check(subject, declared.variables, field="subject")
    if channel in (Channel.SMS, Channel.WECHAT):
        params = rendering.parse_params(body, field="body")
        for text in params.values():
            rendering.check(text, declared.variables, field="body")
        if enabled and not params:
            raise ApplicationError("template_empty", _("The body of an enabled %(channel)s template cannot be empty: "
                                                       "one “parameter=text” per line") % {
                "channel": label},
                                   field="body")
        empty = [key for key, text in params.items() if not text]
        if enabled and empty:
            raise ApplicationError("template_empty", _("The parameter %(param)s of the %(channel)s template has no "
                                                       "text") % {
                "param": empty[0], "channel": label}, field="body")
    else:
        rendering.check(body, declared.variables, field="body")
        if enabled and not body.strip():
            raise ApplicationError("template_empty",
                                   _("The body of an enabled %(channel)s template cannot be empty") % {
                                       "channel": label}, field="body")


_WORDING = ConfigCache("notify.wording", watch=(Template,))


def wording(event: str, *, fresh: bool = False) -> dict[str, Template]:
    """The enabled templates of an event, by channel: kept per process (an edit shows
    in every worker within half a minute), or `fresh` from the table. An event with no
    rows at all (a table not yet seeded) speaks with its shipped defaults."""
    return _wording(event) if fresh else _WORDING.get(event, lambda: _wording(event))


def _wording(event: str) -> dict[str, Template]:
    rows = list(Template.objects.filter(event=event))
    if not rows:
        rows = [Template(event=event, channel=channel, subject=str(subject), body=str(body))
                for channel, (subject, body) in events.get(event).defaults.items()]
    return {t.channel: t for t in rows if t.enabled}
