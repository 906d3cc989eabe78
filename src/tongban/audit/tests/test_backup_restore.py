"""`tongban backup DIR` then `tongban restore DIR` into an emptied database brings back every
row and file, and the trail verifies; a damaged backup, other keys or a full target are refused
before anything is written. On SQLite here, and on PostgreSQL in its pass (pg_dump/pg_restore)."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from tongban.audit.models import AuditEntry
from tongban.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _wipe_database() -> None:
    """What a new, empty database looks like: no tables at all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')


def _fails(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exited:
        call_command(*args)
    assert exited.value.code == 1
    return capsys.readouterr().err


def test_a_backup_restored_into_an_empty_database_has_every_row_and_file_and_a_whole_trail(
        world, media, tmp_path, capsys):
    default_storage.save("uploads/证明.pdf", ContentFile(b"%PDF-1.7 scanned"))
    people_before = sorted(Person.objects.values_list("pk", "name"))
    entries_before = AuditEntry.objects.count()
    assert entries_before > 0 and people_before

    call_command("backup", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["people_person"] == len(people_before)
    assert manifest["audit_head"]["seq"] == AuditEntry.objects.order_by("-seq").first().seq
    assert manifest["media"]["files"] == 1
    assert manifest["keys"]["included"] is False
    # The keys themselves are nowhere in the backup, only their fingerprints.
    from django.conf import settings
    written = b"".join(p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert settings.BLIND_INDEX_KEY.encode() not in written
    assert all(k.encode() not in written for k in settings.FIELD_ENCRYPTION_KEYS)

    # A database that is not empty is never written over.
    assert "不是空的" in _fails(capsys, "restore", str(tmp_path / "b"))

    _wipe_database()
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    call_command("restore", str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert f"共 {entries_before} 条记录" in out

    assert sorted(Person.objects.values_list("pk", "name")) == people_before
    assert AuditEntry.objects.count() == entries_before
    assert default_storage.open("uploads/证明.pdf").read() == b"%PDF-1.7 scanned"
    call_command("verify-audit")
    assert f"共 {entries_before} 条记录" in capsys.readouterr().out


def test_a_backup_is_not_restored_with_other_keys_or_damaged_files(world, media, tmp_path, settings, capsys):
    call_command("backup", str(tmp_path / "b"))
    _wipe_database()

    good_key = settings.BLIND_INDEX_KEY
    settings.BLIND_INDEX_KEY = "another-index-key-entirely"
    assert "BLIND_INDEX_KEY" in _fails(capsys, "restore", str(tmp_path / "b"))
    settings.BLIND_INDEX_KEY = good_key

    dump = next(p for p in (tmp_path / "b").iterdir() if p.name.startswith("database."))
    original = dump.read_bytes()
    dump.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    assert "校验值不符" in _fails(capsys, "restore", str(tmp_path / "b"))
    with connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == []  # nothing was written

    dump.write_bytes(original)
    call_command("restore", str(tmp_path / "b"))  # and the same backup, whole, restores


def test_a_backup_refuses_a_folder_that_holds_something(world, tmp_path, capsys):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "old.txt").write_text("x")
    assert "不是空的" in _fails(capsys, "backup", str(tmp_path / "b"))
    assert "不存在或不是有效的备份清单" in _fails(capsys, "restore", str(tmp_path / "nothing"))
    (tmp_path / "a-file").write_text("x")
    assert "是一个文件" in _fails(capsys, "backup", str(tmp_path / "a-file"))
