"""The case effects by which configured services move a household record. A service
in the catalog names one of these in its 办结后的业务处理 field; the answers it reads
are by field key, listed in each label so a service admin can build the form."""

from tongban.catalog import effects
from tongban.hukou import services

effects.register(
    "hukou.move_in",
    "迁入集体户口（表单字段：certificate_number, birthplace, native_place, previous_address, "
    "issuing_authority, issue_date）",
    submitted=services.move_in_submitted, ended=services.move_in_ended,
)(services.move_in_completed)
effects.register("hukou.waive", "确认不落户（表单字段：agreement_version, agree）",
                 submitted=services.waive_submitted)(services.waive_completed)
effects.register("hukou.store", "毕业生户口暂存（表单字段：months，至多 6 个月）",
                 submitted=services.store_submitted)(services.store_completed)
effects.register("hukou.move_out", "迁出集体户口（表单字段：destination, authority）",
                 submitted=services.move_out_submitted)(services.move_out_completed)
effects.register("hukou.card_loan",
                 "借用集体户口卡：仅限在校集体户（不含毕业暂存），且没有未归还的户口卡（不改变户口记录）",
                 submitted=services.card_loan_submitted)(services.no_change)
effects.register("hukou.in_school_only", "仅限户口在学校集体户的人员申请（不改变户口记录）",
                 submitted=services.in_school_required)(services.no_change)
effects.register("hukou.not_here_only", "仅限户口不在学校集体户的人员申请（不改变户口记录）",
                 submitted=services.not_here_required)(services.no_change)
