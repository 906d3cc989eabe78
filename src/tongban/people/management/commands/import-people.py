import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.accounts.models import User
from tongban.lib.errors import ApplicationError
from tongban.people.imports import import_people


class Command(BaseCommand):
    help = "Import people from an .xlsx or .csv file (header row: 姓名, 身份证号, 学号, 学院, 人员类别, …)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--report", type=Path, help="write problems to this CSV (row,field,value,error)")
        parser.add_argument("--as", dest="username", default="",
                            help="the account the import is done as (default: the first system admin)")

    def handle(self, *args, **options):
        actor = self._actor(options["username"])
        tty = sys.stderr.isatty()

        def progress(done, total):
            if tty:
                self.stderr.write(f"\r已处理 {done}{f' / {total}' if total else ''} 行", ending="")

        try:
            outcome = import_people(actor=actor, path=options["file"], dry_run=options["dry_run"],
                                    progress=progress)
        except ApplicationError as exc:
            # An unreadable file, a missing header, or an account that may not import:
            # nothing was written (for a CSV that breaks off mid-way, see import_people).
            self.stderr.write(f"无法导入：{exc.message}")
            sys.exit(2)
        if tty:
            self.stderr.write("")
        if options["report"]:
            options["report"].write_text(outcome.report_csv(), encoding="utf-8-sig")
        verb = "检查" if options["dry_run"] else "导入"
        self.stdout.write(
            f"{verb}完成：共 {outcome.total} 行，新增 {outcome.created}，更新 {outcome.updated}，"
            f"未变 {outcome.unchanged}，错误 {len(outcome.errors)}，警告 {len(outcome.warnings)}。"
        )
        for p in outcome.errors[:20]:
            self.stdout.write(f"  第 {p.row} 行 [{p.field}] {p.value}：{p.error}")
        if len(outcome.errors) > 20:
            self.stdout.write(f"  …另有 {len(outcome.errors) - 20} 条错误，见 --report 文件")
        if outcome.errors:
            sys.exit(1)

    def _actor(self, username: str) -> User:
        from tongban.accounts.models import Membership
        from tongban.accounts.roles import Role

        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"没有用户名为 {username} 的账号")
            return user
        m = Membership.objects.filter(role=Role.SYSADMIN, user__is_active=True).select_related("user").first()
        if m is None:
            raise CommandError("没有系统管理员账号：请用 --as 指定导入人")
        return m.user
