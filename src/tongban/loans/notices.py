from tongban.notify.events import Channel, EventType, register

_VARS = {"name": "姓名", "item": "物品", "due": "应还日期", "days": "天数"}

register(EventType("loan.lent", "loan", "借用登记", _VARS, {
    Channel.INBOX: ("已借出：{item}", "{name}：您已借用{item}，请于 {due} 前归还。"),
    Channel.WECHAT: ("", "first=借用登记\nkeyword1={item}\nkeyword2={due}\nremark=请按时归还"),
    Channel.SMS: ("", "item={item}\ndue={due}"),
}))
register(EventType("loan.due_soon", "loan", "借用即将到期", _VARS, {
    Channel.INBOX: ("{item}将于 {due} 到期", "{name}：您借用的{item}将于 {due} 到期（还有 {days} 天），请按时归还。"),
    Channel.WECHAT: ("", "first=借用即将到期\nkeyword1={item}\nkeyword2={due}\nremark=请按时归还"),
    Channel.SMS: ("", "item={item}\ndue={due}"),
}))
register(EventType("loan.overdue", "restriction", "借用已逾期", _VARS, {
    Channel.INBOX: ("{item}已逾期 {days} 天", "{name}：您借用的{item}应于 {due} 归还，已逾期 {days} 天。"
                                             "逾期期间您不能在线预约或申请办理，请尽快归还，归还后联系保卫处解除限制。"),
    Channel.SMS: ("", "item={item}\ndays={days}"),
}))
register(EventType("loan.returned", "loan", "已归还", _VARS, {
    Channel.INBOX: ("已归还：{item}", "{name}：您借用的{item}已归还登记。"),
}))
