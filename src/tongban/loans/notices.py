from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

_VARS = {"name": _("Name"), "item": _("Item"), "due": _("Due date"), "days": _("Days")}

register(EventType("loan.lent", "loan", _("Loan recorded"), _VARS, {
    Channel.INBOX: (_("Lent: {item}"), _("{name}: you have borrowed {item}; please return it by {due}.")),
    Channel.WECHAT: ("", _("first=Loan recorded\nkeyword1={item}\nkeyword2={due}\nremark=Please return it on time")),
    Channel.SMS: ("", "item={item}\ndue={due}"),
}))
register(EventType("loan.due_soon", "loan", _("Loan due soon"), _VARS, {
    Channel.INBOX: (_("{item} is due on {due}"), _("{name}: the {item} you borrowed is due on {due} (in {days} days); "
                                                   "please return it on time.")),
    Channel.WECHAT: ("", _("first=Loan due soon\nkeyword1={item}\nkeyword2={due}\nremark=Please return it on time")),
    Channel.SMS: ("", "item={item}\ndue={due}"),
}))
register(EventType("loan.overdue", "restriction", _("Loan overdue"), _VARS, {
    Channel.INBOX: (_("{item} is {days} days overdue"), _("{name}: the {item} you borrowed was due on {due} and is "
                                                          "{days} days overdue. While it is overdue you cannot book "
                                                          "or apply online; please return it soon, then ask the "
                                                          "security office to lift the restriction.")),
    Channel.SMS: ("", "item={item}\ndays={days}"),
}))
register(EventType("loan.returned", "loan", _("Returned"), _VARS, {
    Channel.INBOX: (_("Returned: {item}"), _("{name}: the {item} you borrowed is recorded as returned.")),
}))
