"""Backup and restore: a consistent snapshot of the database and the uploaded files, with a
manifest that lets a restore prove it brought back what was taken (row counts per table,
the audit chain's head) — never the keys that personal data is encrypted and indexed with.

The snapshot lives with the trail because what makes it trustworthy is the trail's own
check: after `restore`, `verify-audit` walks the chain up to the head the manifest names.

    DIR/manifest.json     what was taken, when, from which kind of database, and checksums
    DIR/database.sqlite3  SQLite's online backup (a page-by-page copy, consistent)
    DIR/database.pgdump   or PostgreSQL's `pg_dump --format=custom`, from the same snapshot
                          the counts were read in
    DIR/media/            the uploaded files and archives (local storage only)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
KEYS_NOTE = _("This backup holds neither the encryption keys of personal data (FIELD_ENCRYPTION_KEYS) nor the "
              "blind-index key (BLIND_INDEX_KEY). A restore needs keys with the same fingerprints, or ID and phone "
              "numbers can be neither read nor searched. Keep the keys apart from the backup.")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    audit_entries: int
    media_files: int


def fingerprint(secret: str) -> str:
    """Names a key without revealing it: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _key_fingerprints() -> dict:
    return {"field_encryption_keys": [fingerprint(k) for k in settings.FIELD_ENCRYPTION_KEYS],
            "blind_index_key": fingerprint(settings.BLIND_INDEX_KEY)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _head(cursor) -> dict:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


def _local_media() -> Path | None:
    storage = default_storage
    if isinstance(getattr(storage, "_wrapped", storage), FileSystemStorage):
        return Path(settings.MEDIA_ROOT)
    return None


def _pg_env() -> dict[str, str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                     ("PGDATABASE", "NAME")):
        if conf.get(key):
            env[var] = str(conf[key])
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ApplicationError("backup_tool_missing",
                               gettext("%(tool)s not found: install the PostgreSQL client of the database's version")
                               % {"tool": command[0]}) from None
    if done.returncode != 0:
        raise ApplicationError("backup_tool_failed", gettext("%(tool)s failed: %(error)s")
                               % {"tool": command[0], "error": done.stderr.strip()[:500]})


def _empty_dir(path: Path, *, code: str, is_file: str, not_empty: str) -> None:
    """`is_file`, `not_empty`: the refusals, each naming the folder's role and %(path)s."""
    if path.exists() and not path.is_dir():
        raise ApplicationError(code, is_file % {"path": path})
    if path.exists() and any(path.iterdir()):
        raise ApplicationError(code, not_empty % {"path": path})


# --- backup ------------------------------------------------------------------------------------

def backup(target: Path, *, progress: Progress = lambda _: None) -> dict:
    """Writes a consistent snapshot into `target` (absent or empty) and returns its manifest.
    The counts and the audit head are read in the very snapshot that is saved, so a restore
    that matches them restored exactly this. Refuses a target that holds anything."""
    target = Path(target)
    _empty_dir(target, code="backup_target_not_empty",
               is_file=gettext("The backup folder %(path)s is a file, not a folder"),
               not_empty=gettext("The backup folder %(path)s is not empty"))
    target.mkdir(parents=True, exist_ok=True)
    tables = _tables()
    if connection.vendor == "sqlite":
        progress(gettext("Copying the database (SQLite online backup)"))
        file = target / SQLITE_FILE
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(file))
        try:
            with copy:
                source.backup(copy)
            cursor = copy.cursor()
            counts = {t: cursor.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
            row = cursor.execute(
                f'SELECT seq, hash FROM "{AuditEntry._meta.db_table}" ORDER BY seq DESC LIMIT 1').fetchone()
            head = {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}
        finally:
            copy.close()
            source.close()
    elif connection.vendor == "postgresql":
        progress(gettext("Dumping the database (pg_dump, in the snapshot of the counts)"))
        file = target / PG_FILE
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor, tables)
            head = _head(cursor)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={file}"])
    else:
        raise ApplicationError("backup_unsupported", gettext("Backing up a %(vendor)s database is not supported")
                               % {"vendor": connection.vendor})

    media_files = []
    media = _local_media()
    if media is not None and media.is_dir():
        progress(gettext("Copying the uploaded files"))
        shutil.copytree(media, target / MEDIA)
        media_files = sorted(str(p.relative_to(target / MEDIA)) for p in (target / MEDIA).rglob("*") if p.is_file())

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "database_file": file.name,
        "database_sha256": _sha256(file),
        "tables": counts,
        "rows": sum(counts.values()),
        "audit_head": head,
        "media": {"stored": media is not None, "files": len(media_files),
                  "sha256": {name: _sha256(target / MEDIA / name) for name in media_files}},
        "keys": {"included": False, **_key_fingerprints(), "note": str(KEYS_NOTE)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    progress(gettext("Done: %(tables)s tables, %(rows)s rows, the audit chain up to entry %(seq)s, %(files)s files")
             % {"tables": len(counts), "rows": manifest["rows"], "seq": head["seq"], "files": len(media_files)})
    return manifest


# --- restore -----------------------------------------------------------------------------------

def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ApplicationError("backup_unreadable", gettext("%(path)s does not exist or is not a valid backup manifest")
                               % {"path": path}) from None
    if manifest.get("format") != FORMAT:
        raise ApplicationError(
            "backup_format", gettext("Backup format %(format)s is not supported (should be %(expected)s)")
                               % {"format": manifest.get("format"), "expected": FORMAT})
    return manifest


def _check_keys(manifest: dict) -> None:
    """A backup without the keys it was encrypted with cannot be read: refuse before writing."""
    wanted, have = manifest["keys"], _key_fingerprints()
    if wanted["field_encryption_keys"] and not set(wanted["field_encryption_keys"]) & set(
            have["field_encryption_keys"]):
        raise ApplicationError(
            "backup_keys_missing",
            gettext("The FIELD_ENCRYPTION_KEYS configured hold none of the keys the backup was made with "
                    "(fingerprints %(fingerprints)s): its personal data could not be read; the restore stopped.")
            % {"fingerprints": ", ".join(wanted["field_encryption_keys"])})
    if wanted["blind_index_key"] != have["blind_index_key"]:
        raise ApplicationError(
            "backup_keys_missing",
            gettext("The BLIND_INDEX_KEY differs from the backup's (its fingerprint should be %(fingerprint)s): "
                    "searching by ID number would fail; the restore stopped.")
            % {"fingerprint": wanted["blind_index_key"]})


def _check_files(source: Path, manifest: dict) -> None:
    file = source / manifest["database_file"]
    if not file.is_file() or _sha256(file) != manifest["database_sha256"]:
        raise ApplicationError(
            "backup_damaged", gettext("%(file)s is missing or differs from the manifest's checksum") % {"file": file})
    for name, digest in manifest["media"]["sha256"].items():
        path = source / MEDIA / name
        if not path.is_file() or _sha256(path) != digest:
            raise ApplicationError(
                "backup_damaged", gettext("The file %(name)s is missing or differs from the manifest's checksum")
                                   % {"name": name})


def restore(source: Path, *, progress: Progress = lambda _: None) -> Restored:
    """Fills an empty database (no tables: a new one, before `migrate`) and an empty media
    folder from `source`, then proves it: every table's count as in the manifest, and the
    audit chain whole up to the head the manifest names. Refuses, writing nothing, a damaged
    backup, one of another kind of database, keys other than the backup's, or a target that
    is not empty."""
    source = Path(source)
    manifest = read_manifest(source)
    if manifest["vendor"] != connection.vendor:
        raise ApplicationError("backup_vendor", gettext("The backup comes from %(backup)s, the database is %(current)s")
                               % {"backup": manifest["vendor"], "current": connection.vendor})
    _check_keys(manifest)
    _check_files(source, manifest)
    if _tables():
        raise ApplicationError(
            "restore_target_not_empty",
            gettext("The target database is not empty: a restore writes only into a new, empty database"))
    media = _local_media()
    if manifest["media"]["files"]:
        if media is None:
            raise ApplicationError(
                "restore_media_remote",
                gettext("The files are kept in object storage: restore the uploads with its own tools"))
        _empty_dir(media, code="restore_target_not_empty",
                   is_file=gettext("The uploads folder %(path)s is a file, not a folder"),
                   not_empty=gettext("The uploads folder %(path)s is not empty"))

    progress(gettext("Writing the database"))
    file = source / manifest["database_file"]
    if connection.vendor == "sqlite":
        connection.close()
        backup_db = sqlite3.connect(str(file))
        live = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
              f"--dbname={connection.settings_dict['NAME']}", str(file)])
    if manifest["media"]["files"]:
        progress(gettext("Writing the uploaded files"))
        shutil.copytree(source / MEDIA, media, dirs_exist_ok=True)

    progress(gettext("Checking the row counts and the audit chain"))
    with connection.cursor() as cursor:
        counts = _counts(cursor, sorted(manifest["tables"]))
        head = _head(cursor)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong:
        table, (want, got) = next(iter(wrong.items()))
        raise ApplicationError(
            "restore_counts_differ", gettext("After the restore %(table)s has %(got)s rows, the manifest %(want)s")
                               % {"table": table, "got": got, "want": want})
    if head != manifest["audit_head"]:
        raise ApplicationError(
            "restore_head_differs",
            gettext("After the restore the audit chain's last entry differs from the manifest's"))
    verdict = verify(AuditEntry.objects.all(), workers=1)
    if not verdict.ok:
        raise ApplicationError("restore_chain_broken",
                               gettext("After the restore the audit chain breaks at entry %(seq)s: %(reason)s")
                               % {"seq": verdict.first_bad_seq, "reason": verdict.reason})
    return Restored(tables=len(counts), rows=sum(counts.values()), audit_entries=verdict.count,
                    media_files=manifest["media"]["files"])
