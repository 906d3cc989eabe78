"""`tongban verify-audit` walks the chain: exit 0 with the count when it is whole, exit 1
naming the first entry that was altered, removed or unlinked.

Tampering goes round the application with raw SQL (see `tampering`).
"""

import io

import pytest
from django.core.management import call_command

from tongban.audit.chain import FIELDS, entry_hash
from tongban.audit.models import AuditEntry
from tongban.audit.tests.tampering import tamper


def verify_audit() -> tuple[int, str, str]:
    """Run the command as an operator would: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def chain(world) -> int:
    """The world's own trail (every unit, account and grant): its length."""
    count = AuditEntry.objects.count()
    assert count > 20
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, count + 1))
    return count


def test_a_whole_chain_exits_0_printing_the_count(chain):
    assert verify_audit() == (0, f"审计链完整：共 {chain} 条记录。\n", "")


def test_an_empty_trail_is_whole(db):
    assert verify_audit() == (0, "审计链完整：共 0 条记录。\n", "")


@pytest.mark.parametrize("seq", [1, 7, "last"])
def test_an_altered_summary_exits_1_naming_its_entry(chain, seq):
    seq = chain if seq == "last" else seq
    tamper("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["新建单位 某某", seq])

    assert verify_audit() == (1, "", f"审计链在第 {seq} 条处断开：第 {seq} 条的内容与其哈希不符（已被改动）\n")


def test_altered_details_exit_1_naming_their_entry(chain):
    tamper("UPDATE audit_auditentry SET details = %s WHERE seq = %s", ['{"code": "forged"}', 3])

    assert verify_audit() == (1, "", "审计链在第 3 条处断开：第 3 条的内容与其哈希不符（已被改动）\n")


def test_a_deleted_middle_entry_exits_1_naming_the_missing_seq(chain):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [9])

    assert verify_audit() == (1, "", "审计链在第 9 条处断开：缺少第 9 条记录（下一条是第 10 条）\n")


def test_a_deleted_first_entry_is_missed_too(chain):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [1])

    assert verify_audit() == (1, "", "审计链在第 1 条处断开：缺少第 1 条记录（下一条是第 2 条）\n")


def test_a_broken_prev_hash_link_exits_1_naming_the_entry(chain):
    tamper("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", ["f" * 64, 7])

    assert verify_audit() == (1, "", "审计链在第 7 条处断开：第 7 条的前序哈希与第 6 条不符\n")


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(chain):
    # The forger recomputes the altered entry's own hash; the next entry still points
    # at the old one.
    values = list(AuditEntry.objects.filter(seq=7).values_list(*FIELDS).get())
    values[FIELDS.index("summary")] = "新建单位 某某"
    tamper("UPDATE audit_auditentry SET summary = %s, hash = %s WHERE seq = %s",
         ["新建单位 某某", entry_hash(tuple(values)), 7])

    assert verify_audit() == (1, "", "审计链在第 8 条处断开：第 8 条的前序哈希与第 7 条不符\n")

