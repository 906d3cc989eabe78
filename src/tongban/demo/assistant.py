"""The demo's FAQ entries for the assistant, written as a service admin would beside the
guides (what the rules of the demo say: storage up to 6 months, the card lent for 8 days).
Seeding again adds nothing."""

from __future__ import annotations

from tongban.accounts.models import User
from tongban.assistant.models import FAQ
from tongban.assistant.services import save_faq
from tongban.catalog.models import ServiceItem

FAQS = [  # i18n: data (the demo's own wording, as an admin would type it)
    ("hukou-storage", "毕业后户口最多能在学校暂存多久？",  # i18n: data
     "户口暂存按月申请，每次 1 至 6 个月，最长 6 个月；到期前请办理户口迁出。"),  # i18n: data
    ("hukou-storage", "还没找到工作，户口能先放在学校吗？",  # i18n: data
     "可以。毕业前 90 天起可申请毕业生户口暂存，经学院审核、保卫处审批后生效。"),  # i18n: data
    ("card-borrow", "户口卡借出后多久要归还？",  # i18n: data
     "集体户口卡借期 8 天，到期前 1 天会提醒；逾期未还将限制预约和申请。"),  # i18n: data
    ("card-borrow", "借户口卡可以别人代借吗？",  # i18n: data
     "须本人在线申请并预约时间，到保卫处户籍窗口借用。"),  # i18n: data
    ("hukou-move-out", "户口迁出需要准予迁入证明吗？",  # i18n: data
     "迁往需要准迁的地方，请上传迁入地公安机关出具的准予迁入证明（接收函）；不需要准迁的可以不传。"),  # i18n: data
    ("no-criminal-record", "无犯罪记录证明可以代办吗？",  # i18n: data
     "本人在线申请，派出所审核通过后到派出所户籍窗口领取，需到现场 1 次。"),  # i18n: data
]


def seed_faqs(actor: User) -> int:
    made = 0
    for code, question, answer in FAQS:
        service = ServiceItem.objects.filter(code=code).first()
        if service is None or FAQ.objects.filter(service=service, question=question).exists():
            continue
        save_faq(actor=actor, faq=FAQ(service=service, question=question, answer=answer))
        made += 1
    return made
