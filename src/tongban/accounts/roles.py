"""Roles, reaches and the permission matrix.

A permission is an action with a reach. A membership gives a user one role in one org
unit; the role's reach for an action is measured from that unit. The matrix is code,
reviewed like code: a role that may do something new is a change someone signs off.
"""

from __future__ import annotations

from enum import IntEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    CLERK = "clerk", _("Window clerk")
    AUXILIARY = "auxiliary", _("Auxiliary staff")
    OFFICER = "officer", _("Household registration officer")
    APPROVER = "approver", _("Approver")
    COLLEGE_ADMIN = "college_admin", _("College administrator or counsellor")
    SERVICE_ADMIN = "service_admin", _("Service administrator")
    SUPERVISOR = "supervisor", _("Supervisor or leader")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")


class Reach(IntEnum):
    """How far from the membership's unit an action reaches (larger includes smaller)."""

    OWN = 1  # the records of the person bound to the user
    UNIT = 2  # the membership's org unit only
    SUBTREE = 3  # the unit and every unit below it
    ALL = 4  # everything

    @property
    def label(self) -> str:
        return {1: pgettext("reach", "Oneself"), 2: pgettext("reach", "Own unit"),
                3: pgettext("reach", "Own unit and below"), 4: pgettext("reach", "Everything")}[self.value]


class Action:
    """Action names, `<area>.<verb>`; one constant each so a typo fails at import."""

    PEOPLE_VIEW = "people.view"
    PEOPLE_IMPORT = "people.import"
    PEOPLE_EDIT = "people.edit"
    PEOPLE_UNMASK = "people.unmask"
    PEOPLE_EXPORT = "people.export"
    CASE_APPLY = "case.apply"
    CASE_PREPARE = "case.prepare"
    CASE_ACCEPT = "case.accept"
    CASE_APPROVE = "case.approve"
    CASE_SIGN = "case.sign"
    HUKOU_REGISTER = "hukou.register"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    ORG_MANAGE = "org.manage"
    ROLE_GRANT = "role.grant"
    CATALOG_MANAGE = "catalog.manage"
    DASHBOARD_VIEW = "dashboard.view"
    WORKBENCH = "workbench.use"
    NOTIFY_MANAGE = "notify.manage"
    RESTRICTION_MANAGE = "restriction.manage"
    LOAN_MANAGE = "loan.manage"
    BOOKING_DESK = "booking.desk"
    INTEROP_MANAGE = "interop.manage"
    CAMPAIGN_MANAGE = "campaign.manage"  # make, send, remind a campaign (要我办) to people in reach
    CAMPAIGN_VIEW = "campaign.view"  # follow a campaign's recipients in reach, export their answers
    CAMPAIGN_APPROVE = "campaign.approve"  # approve the answers of recipients in reach


A = Action
R = Reach

# Acts that carry legal weight. An auxiliary (协警, student assistant) prepares work but
# never does these, whatever the matrix below says: `authorize` refuses them outright.
NEVER_FOR_AUXILIARY = frozenset({A.CASE_APPROVE, A.CASE_SIGN, A.HUKOU_REGISTER})

PERMISSIONS: dict[str, dict[str, Reach]] = {
    Role.APPLICANT: {A.PEOPLE_VIEW: R.OWN, A.CASE_APPLY: R.OWN},
    Role.CLERK: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.PEOPLE_IMPORT: R.SUBTREE,
        A.PEOPLE_EDIT: R.SUBTREE,
        A.PEOPLE_EXPORT: R.SUBTREE,
        A.CASE_PREPARE: R.SUBTREE,
        A.CASE_ACCEPT: R.SUBTREE,
        A.LOAN_MANAGE: R.SUBTREE,
        A.BOOKING_DESK: R.SUBTREE,
    },
    Role.AUXILIARY: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.CASE_PREPARE: R.SUBTREE,
    },
    Role.OFFICER: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.PEOPLE_IMPORT: R.SUBTREE,
        A.PEOPLE_EDIT: R.SUBTREE,
        A.PEOPLE_EXPORT: R.SUBTREE,
        A.PEOPLE_UNMASK: R.SUBTREE,
        A.CASE_PREPARE: R.SUBTREE,
        A.CASE_ACCEPT: R.SUBTREE,
        A.CASE_APPROVE: R.SUBTREE,
        A.CASE_SIGN: R.SUBTREE,
        A.HUKOU_REGISTER: R.SUBTREE,
        A.RESTRICTION_MANAGE: R.SUBTREE,
        A.LOAN_MANAGE: R.SUBTREE,
        A.BOOKING_DESK: R.SUBTREE,
    },
    Role.APPROVER: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.CASE_APPROVE: R.SUBTREE,
        A.CASE_SIGN: R.SUBTREE,
        A.DASHBOARD_VIEW: R.SUBTREE,
    },
    Role.COLLEGE_ADMIN: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.PEOPLE_EXPORT: R.SUBTREE,
        A.CASE_PREPARE: R.SUBTREE,
        A.CASE_APPROVE: R.SUBTREE,
        A.DASHBOARD_VIEW: R.SUBTREE,
        A.CAMPAIGN_MANAGE: R.SUBTREE,
        A.CAMPAIGN_VIEW: R.SUBTREE,
        A.CAMPAIGN_APPROVE: R.SUBTREE,
    },
    Role.SERVICE_ADMIN: {A.WORKBENCH: R.UNIT, A.CATALOG_MANAGE: R.SUBTREE, A.NOTIFY_MANAGE: R.ALL},
    Role.SUPERVISOR: {
        A.WORKBENCH: R.UNIT,
        A.PEOPLE_VIEW: R.SUBTREE,
        A.DASHBOARD_VIEW: R.SUBTREE,
        A.CAMPAIGN_VIEW: R.SUBTREE,
    },
    Role.AUDITOR: {
        A.WORKBENCH: R.UNIT,
        A.AUDIT_VIEW: R.ALL,
        A.AUDIT_EXPORT: R.ALL,
        A.PEOPLE_VIEW: R.ALL,
    },
    Role.SYSADMIN: {
        A.WORKBENCH: R.UNIT,
        A.ORG_MANAGE: R.ALL,
        A.ROLE_GRANT: R.ALL,
        A.PEOPLE_VIEW: R.ALL,
        A.PEOPLE_IMPORT: R.ALL,
        A.PEOPLE_EDIT: R.ALL,
        A.PEOPLE_EXPORT: R.ALL,
        A.CATALOG_MANAGE: R.ALL,
        A.NOTIFY_MANAGE: R.ALL,
        A.RESTRICTION_MANAGE: R.ALL,
        A.INTEROP_MANAGE: R.ALL,
    },
}

STAFF_ROLES = frozenset(role for role, perms in PERMISSIONS.items() if A.WORKBENCH in perms)


def reach_of(role: str, action: str) -> Reach | None:
    if role == Role.AUXILIARY and action in NEVER_FOR_AUXILIARY:
        return None
    return PERMISSIONS.get(role, {}).get(action)
