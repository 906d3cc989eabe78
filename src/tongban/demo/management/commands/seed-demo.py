from django.core.management.base import BaseCommand

from tongban.accounts.roles import Role
from tongban.demo.seeding import ACCOUNTS, DEMO_PASSWORD, enrol_staff, seed
from tongban.demo.systems import receivers


class Command(BaseCommand):
    help = "Load the demo university, city bureau, accounts and people (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=200)
        parser.add_argument("--quiet", action="store_true", help="do not list the demo accounts")

    def handle(self, *args, **options):
        result = seed(people=options["people"])
        self.stdout.write(
            f"演示数据就绪：{result['units']} 个单位，{result['accounts']} 个演示账号，"
            f"本次新增 {result['people_created']} 名人员、{result['services_created']} 个服务事项。"
        )
        if options["quiet"]:
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for a in ACCOUNTS:
            self.stdout.write(f"  {a.username:<14} {a.display_name}（{Role(a.role).label}）")
        self.stdout.write("  academic       教务处审批人；cityapprover 市局审批人；"
                          "dept-library 等各部门窗口（离校手续）")
        self.stdout.write("  affairs        学工部管理员（要我办：向全校学生发起填报）；"
                          "student2 … student5 经济学院学生（在手机上填写假期去向）")
        self.stdout.write("以下账号登录须经双因素验证：请在验证器 App 中手动添加密钥（基于时间），"
                          "登录时输入其显示的 6 位验证码：")
        for username, secret in enrol_staff().items():
            self.stdout.write(f"  {username:<14} {secret}")
        for name, credentials in result["systems"]:
            self.stdout.write(f"对接系统 {name} 已登记，客户端凭据（只显示这一次）：{credentials}")
        self.stdout.write("对接系统的演示接收端（另开终端运行，验证签名并打印收到的事件）：")
        for name, url, command in receivers():
            self.stdout.write(f"  {name} {url}：{command}")
