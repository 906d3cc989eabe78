"""What booking tells applicants: the confirmation with the materials to bring, a
cancellation or change, the reminder the day before, and the queue number."""

from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

_VARS = {"name": _("Name"), "service": _("Service"), "resource": _("Window/place"), "place": _("Address"),
         "time": _("Booking time"),
         "materials": _("Materials to bring")}

register(EventType("booking.confirmed", "booking", _("Booked"), _VARS, {
    Channel.INBOX: (_("Booked: {service}"), _("{name}: you have booked {time} at {resource} ({place}) for "
                                              "“{service}”. Please bring: {materials}. To cancel or reschedule, go to "
                                              "“My bookings”.")),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}\nplace={place}"),
    Channel.WECHAT: ("", _("first=Booked\nkeyword1={service}\nkeyword2={time}\nkeyword3={resource}\nremark=Please "
                           "bring: {materials}")),
}))
register(EventType("booking.reminder", "booking", _("Booking reminder"), _VARS, {
    Channel.INBOX: (_("Please come tomorrow for: {service}"), _("{name}: you booked {time} at {resource} ({place}) "
                                                                "for “{service}”. Please bring: {materials}. If you "
                                                                "cannot come, cancel in advance; repeated no-shows "
                                                                "restrict booking.")),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}\nplace={place}"),
    Channel.WECHAT: ("", _("first=Booking reminder\n"
                           "keyword1={service}\nkeyword2={time}\nkeyword3={resource}\nremark=Please bring: "
                           "{materials}")),
}))
register(EventType("booking.rescheduled", "booking", _("Booking rescheduled"), {
    **_VARS, "old_time": _("Original booking time")}, {
    Channel.INBOX: (_("Booking rescheduled: {service}"), _("{name}: your booking for “{service}” has moved from "
                                                           "{old_time} to {time}, at {resource} ({place}).")),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}"),
}))
register(EventType("booking.cancelled", "booking", _("Booking cancelled"),
                   {"name": _("Name"), "service": _("Service"), "time": _("Booking time"), "reason": _("Reason")}, {
    Channel.INBOX: (_("Booking cancelled: {service}"), _("{name}: your booking at {time} for “{service}” has been "
                                                         "cancelled. {reason}")),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}"),
}))
register(EventType("booking.checked_in", "booking", _("Checked in with a number"),
                   {"name": _("Name"), "resource": _("Window"), "number": _("Queue number")}, {
    Channel.INBOX: (_("Checked in, queue number {number}"), _("{name}: you have checked in at {resource}, queue "
                                                              "number {number}; please listen for your number.")),
}))
