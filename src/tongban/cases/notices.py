"""The notices cases send (registered as notification event types with their default
wording): to applicants as their case moves, to handlers when work arrives, is urged or
is overdue, and to the two sides of a delegation. Not django.contrib.messages: these
become inbox rows, mail, texts and WeChat messages, whose wording an admin may edit.

The wording is str.format text (`{serial}` is filled in when sent); the shapes shared
by every event (an inbox subject, a mail's greeting and signature) are translated
whole, with the event's own label or text as a named field."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongban.notify.events import Channel, EventType, register

_APPLICANT = {"name": _("Applicant"), "serial": _("Case number"), "service": _("Service name"),
              "status": _("Case status"), "reason": _("Reason or comment")}
_HANDLER = {"name": _("Handler"), "serial": _("Case number"), "service": _("Service name"), "step": _("Step"),
            "due": _("Deadline"), "applicant": _("Applicant")}
_DELEGATION = {"name": _("Recipient"), "delegator": _("Delegator"), "start": _("Start date"),
               "end": _("End date")}

# {label} and {text} are filled in here; {{service}}, {{serial}}, {{name}} stay for sending
_SUBJECT_BY_SERVICE = _("{label}: {{service}}")
_SUBJECT_BY_SERIAL = _("{label}: {{serial}}")
_MAIL_SUBJECT_BY_SERVICE = _("[Tongban] {label}: {{service}}")
_MAIL_SUBJECT_BY_SERIAL = _("[Tongban] {label}: {{serial}}")
_MAIL_SUBJECT = _("[Tongban] {label}")
_MAIL_BODY = _("{{name}}:\n\n{text}\n\nTongban")


def _applicant_event(key: str, label, text) -> None:
    register(EventType(key, "case", label, _APPLICANT, {
        Channel.INBOX: (format_lazy(_SUBJECT_BY_SERVICE, label=label), text),
        Channel.EMAIL: (format_lazy(_MAIL_SUBJECT_BY_SERVICE, label=label), format_lazy(_MAIL_BODY, text=text)),
        Channel.SMS: ("", "serial={serial}\nstatus={status}"),
        Channel.WECHAT: ("", format_lazy("first={label}\nkeyword1={{serial}}\nkeyword2={{service}}\n"
                                         "keyword3={{status}}\nremark={{reason}}", label=label)),
    }))


_applicant_event("case.submitted", _("Application submitted"),
                 _("Your application {serial} ({service}) has been submitted; watch for its progress."))
_applicant_event("case.accepted", _("Application accepted"),
                 _("Your application {serial} ({service}) has been accepted. {reason}"))
_applicant_event("case.returned", _("Application needs correction"),
                 _("Your application {serial} ({service}) was returned for correction: {reason}. Please correct "
                   "it and submit it again."))
_applicant_event("case.refused", _("Application not accepted"),
                 _("Your application {serial} ({service}) was not accepted: {reason}"))
_applicant_event("case.rejected", _("Application not approved"),
                 _("Your application {serial} ({service}) was not approved: {reason}"))
_applicant_event("case.completed", _("Application completed"),
                 _("Your application {serial} ({service}) is completed. {reason}"))


def _handler_event(key: str, label, text) -> None:
    register(EventType(key, "task", label, _HANDLER, {
        Channel.INBOX: (format_lazy(_SUBJECT_BY_SERIAL, label=label), text),
        Channel.EMAIL: (format_lazy(_MAIL_SUBJECT_BY_SERIAL, label=label), format_lazy(_MAIL_BODY, text=text)),
    }))


_handler_event("case.work_arrived", _("New to-do"),
               _("{applicant}'s application {serial} ({service}) awaits your “{step}”, due {due}."))
_handler_event("case.urged", _("Urged by the applicant"),
               _("{applicant} urges “{step}” of application {serial} ({service}), due {due}."))
_handler_event("case.overdue", _("To-do overdue"),
               _("“{step}” of application {serial} ({service}) is past its deadline {due}; please handle "
                 "it soon."))


def _delegation_event(key: str, label, text) -> None:
    register(EventType(key, "task", label, _DELEGATION, {
        Channel.INBOX: (label, text),
        Channel.EMAIL: (format_lazy(_MAIL_SUBJECT, label=label), format_lazy(_MAIL_BODY, text=text)),
    }))


_delegation_event("case.delegated", _("Work delegated"),
                  _("{delegator} delegates to you the to-dos they have claimed, from {start} to {end}."))
_delegation_event("case.delegation_revoked", _("Delegation revoked"),
                  _("The work delegation from {delegator}, from {start} to {end}, is revoked; from now on you no "
                    "longer act for them."))
