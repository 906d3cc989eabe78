from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

_VARS = {"name": _("Name"), "reason": _("Reason"), "blocks": _("Restricted from"), "contact": _("Contact")}

register(EventType("restriction.imposed", "restriction", _("You have been restricted"), _VARS, {
    Channel.INBOX: (_("You have been restricted from {blocks}"), _("{name}: because of {reason}, you cannot do "
                                                                   "{blocks} online for now. To have it lifted, "
                                                                   "contact {contact}.")),
    Channel.SMS: ("", "name={name}\nreason={reason}"),
}))
register(EventType("restriction.lifted", "restriction", _("Restriction lifted"), _VARS, {
    Channel.INBOX: (_("Restriction lifted"), _("{name}: the restriction from {blocks} because of {reason} has been "
                                               "lifted.")),
    Channel.SMS: ("", "name={name}"),
}))
