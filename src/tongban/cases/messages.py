"""The messages cases send: to applicants as their case moves, to handlers when work
arrives, is urged or is overdue."""

from tongban.notify.events import Channel, EventType, register

_APPLICANT = {"name": "申请人", "serial": "办件编号", "service": "事项名称", "status": "办件状态",
              "reason": "原因或意见"}
_HANDLER = {"name": "办理人", "serial": "办件编号", "service": "事项名称", "step": "步骤",
            "due": "办理期限", "applicant": "申请人"}


def _applicant_event(key: str, label: str, text: str) -> None:
    register(EventType(key, "case", label, _APPLICANT, {
        Channel.INBOX: (f"{label}：{{service}}", text),
        Channel.EMAIL: (f"【通办】{label}：{{service}}", "{name}：\n\n" + text + "\n\n通办"),
        Channel.SMS: ("", "serial={serial}\nstatus={status}"),
        Channel.WECHAT: ("", f"first={label}\nkeyword1={{serial}}\nkeyword2={{service}}\n"
                             "keyword3={status}\nremark={reason}"),
    }))


_applicant_event("case.submitted", "申请已提交", "您的申请 {serial}（{service}）已提交，请留意办理进度。")
_applicant_event("case.accepted", "申请已受理", "您的申请 {serial}（{service}）已受理。{reason}")
_applicant_event("case.returned", "申请需补正",
                 "您的申请 {serial}（{service}）被退回补正：{reason}。请修改后重新提交。")
_applicant_event("case.refused", "申请不予受理", "您的申请 {serial}（{service}）不予受理：{reason}")
_applicant_event("case.rejected", "申请未通过", "您的申请 {serial}（{service}）未通过审批：{reason}")
_applicant_event("case.completed", "申请已办结", "您的申请 {serial}（{service}）已办结。{reason}")


def _handler_event(key: str, label: str, text: str) -> None:
    register(EventType(key, "task", label, _HANDLER, {
        Channel.INBOX: (f"{label}：{{serial}}", text),
        Channel.EMAIL: (f"【通办】{label}：{{serial}}", "{name}：\n\n" + text + "\n\n通办"),
    }))


_handler_event("case.work_arrived", "新的待办",
               "{applicant} 的申请 {serial}（{service}）等待您办理“{step}”，期限 {due}。")
_handler_event("case.urged", "申请人催办", "{applicant} 催办申请 {serial}（{service}）的“{step}”，期限 {due}。")
_handler_event("case.overdue", "待办已超期", "申请 {serial}（{service}）的“{step}”已超过期限 {due}，请尽快办理。")

_DELEGATION = {"name": "收件人", "delegator": "委托人", "start": "开始日期", "end": "结束日期"}
for _key, _label, _text in [
        ("case.delegated", "工作委托", "{delegator} 委托您在 {start} 至 {end} 代为办理其已认领的待办。"),
        ("case.delegation_revoked", "委托已撤销",
         "{delegator} 在 {start} 至 {end} 的工作委托已撤销，即时起不再代办。")]:
    register(EventType(_key, "task", _label, _DELEGATION, {
        Channel.INBOX: (_label, _text),
        Channel.EMAIL: (f"【通办】{_label}", "{name}：\n\n" + _text + "\n\n通办"),
    }))
