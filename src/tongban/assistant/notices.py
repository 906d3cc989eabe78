from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

register(EventType("assistant.index_failed", "task", _("The assistant's index could not be rebuilt"),
                   {"error": _("Error")}, {
    Channel.INBOX: (_("The assistant's index could not be rebuilt"),
                    _("Rebuilding the assistant's index from the catalog failed ({error}). It keeps answering "
                      "from the last index that was built; check the services published since.")),
}))
