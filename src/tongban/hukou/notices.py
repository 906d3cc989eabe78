"""The messages the collective household sends: the reminder to choose, the storage
expiry reminders, and the list of expired storage for the office."""

from tongban.notify.events import Channel, EventType, register

register(EventType("hukou.choice_reminder", "case", "请选择是否落户", {"name": "姓名", "deadline": "办理说明"}, {
    Channel.INBOX: ("请选择集体户口落户方式", "{name}：请尽快在“我的集体户口”中选择迁入集体户口或不落户。{deadline}"),
    Channel.SMS: ("", "name={name}"),
    Channel.WECHAT: ("", "first=请选择集体户口落户方式\nkeyword1={name}\nremark={deadline}"),
}))
register(EventType("hukou.storage_expiring", "deadline", "户口暂存即将到期",
                   {"name": "姓名", "expiry": "到期日期", "days": "剩余天数"}, {
    Channel.INBOX: ("户口暂存将于 {expiry} 到期",
                    "{name}：您在学校的集体户口暂存将于 {expiry} 到期（还有 {days} 天），请及时申请迁出。"),
    Channel.SMS: ("", "name={name}\nexpiry={expiry}"),
}))
register(EventType("hukou.storage_expired", "task", "暂存到期待迁出名单",
                   {"name": "收件人", "count": "人数", "date": "日期"}, {
    Channel.INBOX: ("暂存到期待迁出：{count} 人", "{name}：截至 {date}，有 {count} 人的户口暂存已到期，请通知其迁出。"),
    Channel.EMAIL: ("【通办】暂存到期待迁出：{count} 人",
                    "{name}：\n\n截至 {date}，有 {count} 人的户口暂存已到期，请登录通办查看名单并通知其迁出。\n\n通办"),
}))
