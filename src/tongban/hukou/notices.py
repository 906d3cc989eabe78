"""The messages the collective household sends: the reminder to choose, the storage
expiry reminders, and the list of expired storage for the office."""

from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

register(EventType("hukou.choice_reminder", "case", _("Please choose whether to move in"),
                   {"name": _("Full name"), "deadline": _("Instructions")}, {
    Channel.INBOX: (_("Please choose how to register your household with the collective household"),
                    _("{name}: please choose soon, in “My collective household”, to move into the collective household "
                      "or not to move in. {deadline}")),
    Channel.SMS: ("", "name={name}"),
    Channel.WECHAT: ("", _("first=Please choose how to register your household with the collective household\n"
                           "keyword1={name}\nremark={deadline}")),
}))
register(EventType("hukou.storage_expiring", "deadline", _("Household storage expiring soon"),
                   {"name": _("Full name"), "expiry": _("Expiry date"), "days": _("Days left")}, {
    Channel.INBOX: (_("Your household storage expires on {expiry}"),
                    _("{name}: your collective household storage at the school expires on {expiry} ({days} days "
                      "left); please apply to move out in time.")),
    Channel.SMS: ("", "name={name}\nexpiry={expiry}"),
}))
register(EventType("hukou.storage_expired", "task", _("List of expired storage to move out"),
                   {"name": _("Recipient"), "count": _("Number of people"), "date": _("Date")}, {
    Channel.INBOX: (_("Storage expired, to move out: {count} people"),
                    _("{name}: as of {date}, the household storage of {count} people has expired; please tell them "
                      "to move out.")),
    Channel.EMAIL: (_("[Tongban] Storage expired, to move out: {count} people"),
                    _("{name}:\n\nAs of {date}, the household storage of {count} people has expired; please log in to "
                      "Tongban to see the list and tell them to move out.\n\nTongban")),
}))
