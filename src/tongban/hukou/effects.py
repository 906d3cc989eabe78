"""The case effects by which configured services move a household record. A service
in the catalog names one of these in its 办结后的业务处理 field; the answers it reads
are by field key, listed in each label so a service admin can build the form."""

from django.utils.translation import gettext_lazy as _

from tongban.catalog import effects
from tongban.hukou import services

effects.register(
    "hukou.move_in",
    _("Move into the collective household (form fields: certificate_number, birthplace, native_place, "
      "previous_address, issuing_authority, issue_date)"),
    submitted=services.move_in_submitted, ended=services.move_in_ended,
)(services.move_in_completed)
effects.register("hukou.waive", _("Confirm not moving in (form fields: agreement_version, agree)"),
                 submitted=services.waive_submitted)(services.waive_completed)
effects.register("hukou.store", _("Graduate household storage (form field: months, at most 6)"),
                 submitted=services.store_submitted)(services.store_completed)
effects.register("hukou.move_out", _("Move out of the collective household (form fields: destination, authority)"),
                 submitted=services.move_out_submitted)(services.move_out_completed)
effects.register("hukou.card_loan",
                 _("Borrow the collective household card: only in the collective household at school (not stored "
                   "after graduation), with no card still out (changes no record)"),
                 submitted=services.card_loan_submitted)(services.no_change)
effects.register("hukou.in_school_only", _("Only for people whose household is in the school's collective household "
                                           "(changes no record)"),
                 submitted=services.in_school_required)(services.no_change)
effects.register("hukou.not_here_only", _("Only for people whose household is not in the school's collective "
                                          "household (changes no record)"),
                 submitted=services.not_here_required)(services.no_change)
