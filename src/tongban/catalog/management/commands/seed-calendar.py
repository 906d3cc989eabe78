"""Enter the years the installed chinesecalendar knows and the database does not yet
have (after upgrading the library); a year already entered is left as the office keeps
it. Each year entered is one act on the trail."""

from django.core.management.base import BaseCommand

from tongban.catalog import services
from tongban.catalog.calendar_seed import days_of, known_years
from tongban.catalog.models import CalendarYear


class Command(BaseCommand):
    help = "从 chinesecalendar 录入数据库中尚没有的年份的节假日"

    def handle(self, *args, **options):
        have = set(CalendarYear.objects.values_list("year", flat=True))
        made = [year for year in known_years() if year not in have]
        for year in made:
            services.enter_calendar_year(actor=None, year=year, days=days_of(year), complete=True,
                                         source="chinesecalendar")
        self.stdout.write(f"录入 {len(made)} 个年份：{', '.join(map(str, made)) or '无'}"
                          f"（chinesecalendar 已知 {known_years().start}–{known_years().stop - 1}）")
