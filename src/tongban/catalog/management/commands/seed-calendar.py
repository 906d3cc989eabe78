"""Enter the years the installed chinesecalendar knows and the database does not yet
have (after upgrading the library); a year already entered is left as the office keeps
it. Each year entered is one act on the trail."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongban.catalog import services
from tongban.catalog.calendar_seed import days_of, known_years
from tongban.catalog.models import CalendarYear


class Command(BaseCommand):
    help = "Enter from chinesecalendar the holidays of the years the database does not have yet."

    def handle(self, *args, **options):
        have = set(CalendarYear.objects.values_list("year", flat=True))
        made = [year for year in known_years() if year not in have]
        for year in made:
            services.enter_calendar_year(actor=None, year=year, days=days_of(year), complete=True,
                                         source="chinesecalendar")
        self.stdout.write(_("Entered %(count)s years: %(years)s (chinesecalendar knows %(first)s–%(last)s)") % {
            "count": len(made), "years": ", ".join(map(str, made)) or _("none"),
            "first": known_years().start, "last": known_years().stop - 1})
