"""The messages a campaign sends: the invitation to fill its form, and the reminders to
those who have not. A kind of their own, so that a person chooses their channels for
campaigns apart from their cases."""

from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, Kind, register, register_kind

register_kind(Kind("campaign", _("Forms to fill (campaigns)"), (Channel.INBOX, Channel.WECHAT, Channel.SMS)))

VARIABLES = {"name": _("Full name"), "campaign": _("Campaign name"), "closes": _("Closes at")}

register(EventType("campaigns.invite", "campaign", _("A form to fill"), VARIABLES, {
    Channel.INBOX: (_("Please fill in: {campaign}"),
                    _("{name}: please fill in “{campaign}” before {closes}. You can correct it until then.")),
    Channel.SMS: ("", "name={name}\ncampaign={campaign}\ncloses={closes}"),
    Channel.WECHAT: ("", _("first=A form to fill\nkeyword1={campaign}\nkeyword2={closes}\n"
                           "remark=Please fill it in before the close.")),
    Channel.EMAIL: (_("[Tongban] Please fill in: {campaign}"),
                    _("{name}:\n\nPlease fill in “{campaign}” in Tongban before {closes}.\n\nTongban")),
}))
register(EventType("campaigns.reminder", "campaign", _("A form not yet filled"), VARIABLES, {
    Channel.INBOX: (_("Reminder: please fill in {campaign}"),
                    _("{name}: you have not yet filled in “{campaign}”; it closes at {closes}.")),
    Channel.SMS: ("", "name={name}\ncampaign={campaign}\ncloses={closes}"),
    Channel.WECHAT: ("", _("first=A form not yet filled\nkeyword1={campaign}\nkeyword2={closes}\n"
                           "remark=Please fill it in before the close.")),
    Channel.EMAIL: (_("[Tongban] Reminder: please fill in {campaign}"),
                    _("{name}:\n\nYou have not yet filled in “{campaign}”; it closes at {closes}.\n\nTongban")),
}))
