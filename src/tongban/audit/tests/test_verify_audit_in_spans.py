"""A long chain is checked in spans, by worker processes side by side, and the verdicts
joined in chain order: the first bad entry named is still the first in the chain,
wherever it falls against the spans' edges.

A chain of 23 entries in spans of 5: (1–5) (6–10) (11–15) (16–20) (21–23). The cases of
tampering run with one worker (the spans in this process) and with two (forked
workers). The entries are committed (a transactional test), since workers read through
connections of their own.
"""

import io
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import transaction

from tongban.audit import chain as chain_module
from tongban.audit.chain import FIELDS, entry_hash, verify
from tongban.audit.models import AuditEntry
from tongban.audit.services import Event, record, record_many
from tongban.audit.tests.tampering import tamper

pytestmark = pytest.mark.django_db(transaction=True)

LENGTH = 23
SPAN = 5


@pytest.fixture
def chain() -> int:
    record_many(actor=None, events=[
        Event("test.span", f"第 {i} 条", "test.thing", str(i), {"i": i, "名": "张三"}) for i in range(LENGTH)])
    return LENGTH


@pytest.fixture
def pools(monkeypatch) -> list:
    """Every walk handed to a pool of workers, as it is handed over."""
    mapped = []
    map_ = ProcessPoolExecutor.map

    def spy(pool, func, *iterables, **kwargs):
        mapped.append(func)
        return map_(pool, func, *iterables, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "map", spy)
    return mapped


@pytest.fixture(params=[1, 2], ids=["in-this-process", "in-two-workers"])
def workers(request, pools) -> int:
    """How many workers; with two, proof afterwards that the spans really went to them."""
    yield request.param
    assert len(pools) == (request.param > 1)


def walk(workers: int) -> tuple[bool, int, int | None, str]:
    verdict = verify(AuditEntry.objects.all(), workers=workers, span=SPAN)
    return verdict.ok, verdict.count, verdict.first_bad_seq, verdict.reason


def altered(seq: int) -> tuple[bool, int, int, str]:
    return False, seq - 1, seq, f"第 {seq} 条的内容与其哈希不符（已被改动）"


def unlinked(seq: int) -> tuple[bool, int, int, str]:
    return False, seq - 1, seq, f"第 {seq} 条的前序哈希与第 {seq - 1} 条不符"


def missing(seq: int, then: int) -> tuple[bool, int, int, str]:
    return False, seq - 1, seq, f"缺少第 {seq} 条记录（下一条是第 {then} 条）"


def test_a_whole_chain_holds_reporting_progress_span_by_span(chain, workers):
    seen = []

    verdict = verify(AuditEntry.objects.all(), workers=workers, span=SPAN, progress=seen.append)

    assert (verdict.ok, verdict.count) == (True, LENGTH)
    assert seen == [5, 10, 15, 20, 23]


@pytest.mark.parametrize("seq", [8, 10, 11, 23], ids=lambda s: f"entry-{s}")
def test_an_altered_entry_is_named_wherever_it_falls_in_its_span(chain, workers, seq):
    tamper("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["改过", seq])

    assert walk(workers) == altered(seq)


def test_of_two_altered_entries_the_earlier_is_named_though_its_span_is_later_to_finish(chain, workers):
    tamper("UPDATE audit_auditentry SET summary = %s WHERE seq IN (%s, %s)", ["改过", 8, 17])

    assert walk(workers) == altered(8)


@pytest.mark.parametrize("seq", [1, 10, 11, 21], ids=lambda s: f"entry-{s}")
def test_a_deleted_entry_at_a_span_edge_is_named(chain, workers, seq):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [seq])

    assert walk(workers) == missing(seq, seq + 1)


def test_a_deleted_head_leaves_a_shorter_chain_that_holds(chain, workers):
    # As ever: the chain cannot tell its last entries from none. Only a head kept
    # outside the table could.
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [LENGTH])

    assert walk(workers) == (True, LENGTH - 1, None, "")


def test_a_whole_deleted_span_is_named_by_its_first_entry(chain, workers):
    tamper("DELETE FROM audit_auditentry WHERE seq BETWEEN %s AND %s", [6, 10])

    assert walk(workers) == missing(6, 11)


def test_a_gap_closing_a_span_and_an_alteration_after_it_name_the_gap(chain, workers):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [10])
    tamper("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["改过", 12])

    assert walk(workers) == missing(10, 11)


@pytest.mark.parametrize("seq", [1, 11, 13], ids=lambda s: f"entry-{s}")
def test_a_broken_link_is_named_before_the_content_it_also_breaks(chain, workers, seq):
    # prev_hash is hashed with the rest, so the entry's content no longer matches either;
    # the link comes first, at a span's first entry as anywhere else.
    tamper("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", ["f" * 64, seq])

    assert walk(workers) == unlinked(seq)


@pytest.mark.parametrize("seq", [5, 10, 12], ids=lambda s: f"entry-{s}")
def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link_even_across_spans(chain, workers, seq):
    values = list(AuditEntry.objects.filter(seq=seq).values_list(*FIELDS).get())
    values[FIELDS.index("summary")] = "改过"
    tamper("UPDATE audit_auditentry SET summary = %s, hash = %s WHERE seq = %s",
           ["改过", entry_hash(tuple(values)), seq])

    assert walk(workers) == unlinked(seq + 1)


def test_details_no_longer_json_are_named_as_altered(chain, workers):
    tamper("UPDATE audit_auditentry SET details = %s WHERE seq = %s", ['{"i": 7, "名": "李四"}', 8])

    assert walk(workers) == altered(8)


def test_an_entry_made_on_the_whole_second_holds(monkeypatch):
    # SQLite stores such a time without its fraction; the stamp must still carry one.
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2025, 9, 1, 8, 0, tzinfo=UTC))
    record_many(actor=None, events=[Event("test.span", f"第 {i} 条") for i in range(12)])

    assert walk(2) == (True, 12, None, "")


def test_text_that_json_escapes_holds():
    awkward = '引号"反斜杠\\换行\n制表\t响铃\x07 \u2028 😀'
    record_many(actor=None, events=[
        Event("test.span", awkward, "test.thing", awkward, {awkward: [awkward, {"b": 1, "a": None}]})
        for _ in range(12)])

    assert walk(2) == (True, 12, None, "")


def test_inside_a_transaction_the_walk_stays_in_this_process_and_sees_its_entries(chain, pools):
    # Workers could not see an entry not yet committed: the walk must not leave for them.
    with transaction.atomic():
        record(actor=None, action="test.span", summary="未提交")

        assert walk(2) == (True, LENGTH + 1, None, "")
    assert pools == []


def test_a_slice_of_the_trail_is_refused(chain):
    with pytest.raises(ValueError, match="whole chain"):
        verify(AuditEntry.objects.filter(seq__gt=5))


def test_the_command_checks_in_spans_and_names_the_first_break(chain, monkeypatch):
    monkeypatch.setattr(chain_module, "SPAN", SPAN)
    tamper("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", ["f" * 64, 16])
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("verify-audit", "--workers", "2", stdout=out, stderr=err)

    assert (exit_.value.code, out.getvalue(), err.getvalue()) == (
        1, "", "审计链在第 16 条处断开：第 16 条的前序哈希与第 15 条不符\n")
