"""What booking tells applicants: the confirmation with the materials to bring, a
cancellation or change, the reminder the day before, and the queue number."""

from tongban.notify.events import Channel, EventType, register

_VARS = {"name": "姓名", "service": "事项", "resource": "窗口/地点", "place": "地址", "time": "预约时间",
         "materials": "需携带材料"}

register(EventType("booking.confirmed", "booking", "预约成功", _VARS, {
    Channel.INBOX: ("预约成功：{service}", "{name}：您已预约 {time} 在 {resource}（{place}）办理“{service}”。"
                                        "请携带：{materials}。如需取消或改约，请在“我的预约”中操作。"),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}\nplace={place}"),
    Channel.WECHAT: ("", "first=预约成功\nkeyword1={service}\nkeyword2={time}\nkeyword3={resource}\n"
                         "remark=请携带：{materials}"),
}))
register(EventType("booking.reminder", "booking", "预约提醒", _VARS, {
    Channel.INBOX: ("明天请来办理：{service}", "{name}：您预约了 {time} 在 {resource}（{place}）办理“{service}”。"
                                          "请携带：{materials}。不能前来请提前取消，多次爽约将被限制预约。"),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}\nplace={place}"),
    Channel.WECHAT: ("", "first=预约提醒\nkeyword1={service}\nkeyword2={time}\nkeyword3={resource}\n"
                         "remark=请携带：{materials}"),
}))
register(EventType("booking.rescheduled", "booking", "预约已改期", {**_VARS, "old_time": "原预约时间"}, {
    Channel.INBOX: ("预约已改期：{service}", "{name}：您办理“{service}”的预约已由 {old_time} 改为 {time}，"
                                          "地点 {resource}（{place}）。"),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}"),
}))
register(EventType("booking.cancelled", "booking", "预约已取消",
                   {"name": "姓名", "service": "事项", "time": "预约时间", "reason": "原因"}, {
    Channel.INBOX: ("预约已取消：{service}", "{name}：您 {time} 办理“{service}”的预约已取消。{reason}"),
    Channel.SMS: ("", "name={name}\nservice={service}\ntime={time}"),
}))
register(EventType("booking.checked_in", "booking", "已签到取号",
                   {"name": "姓名", "resource": "窗口", "number": "排队号"}, {
    Channel.INBOX: ("已签到，排队号 {number}", "{name}：您已在 {resource} 签到，排队号 {number}，请留意叫号。"),
}))
