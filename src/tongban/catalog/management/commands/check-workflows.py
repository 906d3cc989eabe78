"""List the published services with a step nobody could handle; exit 1 if any."""

from django.core.management.base import BaseCommand

from tongban.catalog.services import live_gaps


class Command(BaseCommand):
    help = "列出已发布事项中无人办理的审批步骤（有则退出码为 1）"

    def handle(self, *args, **options):
        found = live_gaps()
        for item, gaps in found:
            for gap in gaps:
                self.stdout.write(f"{item.code} {item.name}：{gap.message}")
        if found:
            raise SystemExit(1)
        self.stdout.write("已发布事项的每一步都有办理人。")
