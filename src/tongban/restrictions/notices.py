from tongban.notify.events import Channel, EventType, register

_VARS = {"name": "姓名", "reason": "原因", "blocks": "限制范围", "contact": "联系方式"}

register(EventType("restriction.imposed", "restriction", "您已被限制办理", _VARS, {
    Channel.INBOX: ("您已被限制{blocks}", "{name}：因{reason}，您暂时不能在线{blocks}。解除请联系{contact}。"),
    Channel.SMS: ("", "name={name}\nreason={reason}"),
}))
register(EventType("restriction.lifted", "restriction", "限制已解除", _VARS, {
    Channel.INBOX: ("限制已解除", "{name}：您因{reason}而受到的{blocks}限制已解除。"),
    Channel.SMS: ("", "name={name}"),
}))
