"""The messages interop sends, with their default wording."""

from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

register(EventType("interop.dead_letter", "task", _("A webhook was given up"),
                   {"client": _("System"), "event": _("Event"), "url": _("Receiving URL")}, {
    Channel.INBOX: (_("Webhook to {client} given up"),
                    _("The event {event} could not be delivered to {url} after a day of retries. "
                      "Check the receiver, then replay it from the dead-letter list.")),
}))
register(EventType("interop.push_refused", "task", _("A pushed result was refused"),
                   {"client": _("System"), "serial": _("Case number"), "why": _("Reason")}, {
    Channel.INBOX: (_("{client} did not take case {serial}"),
                    _("The result of case {serial} was pushed to {client}, which did not take it: {why}. "
                      "Check the case and settle it with the system's office.")),
}))
