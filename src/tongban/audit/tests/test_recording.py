"""What `record` and `record_many` store: details as they will read back, so the hash
taken at write time still holds when the chain is verified."""

from tongban.audit.chain import GENESIS, verify
from tongban.audit.models import AuditEntry
from tongban.audit.services import Event, record, record_many


def test_details_read_back_exactly_as_they_were_hashed(db):
    # PostgreSQL's jsonb would hand 1e20 back as an integer and -0.0 as 0, and refuses
    # NUL outright; the entry stores what survives the round trip.
    record(actor=None, action="test.record", summary="比例\x00",
           details={"big": 1e20, "zero": -0.0, "half": 0.5, "huge": 12345678901234567890,
                    "flag": True, "none": None, "text": "a\x00b", "nested": [{"x": 2.5}]})

    entry = AuditEntry.objects.get()
    assert entry.summary == "比例"
    assert entry.details == {"big": "1e+20", "zero": "-0.0", "half": "0.5", "huge": 12345678901234567890,
                             "flag": True, "none": None, "text": "ab", "nested": [{"x": "2.5"}]}
    assert verify(AuditEntry.objects.all()).ok


def test_a_batch_is_appended_in_order_each_linked_to_the_one_before(db):
    record(actor=None, action="test.first", summary="第一条")

    last = record_many(actor=None, events=[Event("test.batch", f"第 {i} 条", "test.thing", str(i)) for i in range(3)])

    assert last == 4
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [(e.seq, e.action, e.object_id) for e in entries] == [
        (1, "test.first", ""), (2, "test.batch", "0"), (3, "test.batch", "1"), (4, "test.batch", "2")]
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.hash for e in entries[:-1]]
    assert len({e.created_at for e in entries[1:]}) == 1
    assert verify(AuditEntry.objects.all()).ok


def test_an_empty_batch_appends_nothing(db):
    assert record_many(actor=None, events=[]) == 0
    assert not AuditEntry.objects.exists()


def test_record_returns_the_stored_entry(db):
    entry = record(actor=None, action="test.record", summary="一条", object_type="test.thing", object_id=7)

    assert entry == AuditEntry.objects.get()
    assert (entry.seq, entry.object_id, entry.prev_hash) == (1, "7", GENESIS)
