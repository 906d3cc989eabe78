from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "tongban.booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from tongban.booking import notices  # noqa: F401  (registrations)
        from tongban.booking.services import guard_booked
        from tongban.cases import guards

        guards.register("booking", guard_booked)
