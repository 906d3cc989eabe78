"""What the project can tell people: kinds of message (what a person chooses channels
for) and events (one thing that happened, with the variables its templates may use).

An app declares its events here, in code, next to the shipped Chinese wording; the
wording lives on as editable Template rows (see `message_templates.ensure_defaults`). Kinds that
are `mandatory` (restrictions, legal deadlines) cannot be turned off by a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Channel:
    INBOX = "inbox"
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"

    CHOICES = [(INBOX, "站内消息"), (EMAIL, "电子邮件"), (SMS, "短信"), (WECHAT, "微信")]
    LABELS = dict(CHOICES)
    ALL = (INBOX, EMAIL, SMS, WECHAT)
    # Channels that call out and are delivered by the relay; the inbox is the row itself.
    RELAYED = (EMAIL, SMS, WECHAT)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    default_channels: tuple[str, ...]
    mandatory: bool = False


@dataclass(frozen=True)
class EventType:
    key: str
    kind: str
    label: str
    # variable name -> what it is (shown to the admin editing the template)
    variables: dict[str, str]
    # channel -> (subject, body); for SMS and WeChat the body is one "param=text" per line
    defaults: dict[str, tuple[str, str]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}
EVENTS: dict[str, EventType] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def register(event: EventType) -> EventType:
    if event.kind not in KINDS:
        raise ValueError(f"unknown message kind {event.kind!r} for event {event.key!r}")
    EVENTS[event.key] = event
    return event


def get(key: str) -> EventType:
    try:
        return EVENTS[key]
    except KeyError:
        raise LookupError(f"no message event {key!r} is registered") from None


register_kind(Kind("account", "账号与安全", (Channel.INBOX, Channel.EMAIL)))
register_kind(Kind("case", "办件进度", (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("booking", "预约提醒", (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("loan", "借用与归还", (Channel.INBOX, Channel.WECHAT, Channel.SMS)))
register_kind(Kind("restriction", "限制与黑名单", (Channel.INBOX, Channel.SMS), mandatory=True))
register_kind(Kind("deadline", "法定时限", (Channel.INBOX, Channel.SMS), mandatory=True))
register_kind(Kind("task", "待办与督办", (Channel.INBOX, Channel.EMAIL)))

register(EventType(
    "notify.test", "account", "测试通知",
    {"name": "收件人姓名", "time": "发送时间"},
    {
        Channel.INBOX: ("测试通知", "{name}，这是一条测试通知，发送于 {time}。收到即说明该渠道可用。"),
        Channel.EMAIL: ("【通办】测试通知",
                        "{name}：\n\n这是一条测试通知，发送于 {time}。收到即说明该渠道可用。\n\n通办"),
        Channel.SMS: ("", "name={name}\ntime={time}"),
        Channel.WECHAT: ("", "first=测试通知\nkeyword1={name}\nkeyword2={time}\nremark=收到即说明微信通知可用。"),
    },
))
register(EventType(
    "people.import_finished", "task", "人员导入完成",
    {"name": "收件人姓名", "file": "文件名", "created": "新增人数", "updated": "更新人数", "refused": "未导入行数"},
    {
        Channel.INBOX: ("人员导入完成",
                        "文件《{file}》已导入：新增 {created} 人，更新 {updated} 人，未导入 {refused} 行。"),
        Channel.EMAIL: ("【通办】人员导入完成",
                        "{name}：\n\n文件《{file}》已导入：新增 {created} 人，更新 {updated} 人，"
                        "未导入 {refused} 行。未导入的行可在工作台下载报告查看。\n\n通办"),
    },
))
