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

from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.lib.errors import ApplicationError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA = "media"
KEYS_NOTE = ("本备份不含个人信息加密密钥（FIELD_ENCRYPTION_KEYS）和盲索引密钥（BLIND_INDEX_KEY）。"
             "恢复时须配置指纹相同的密钥，否则身份证号、手机号无法读取、无法检索。请把密钥与备份分开保管。")

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
                               f"找不到 {command[0]}：请安装与数据库版本相同的 PostgreSQL 客户端") from None
    if done.returncode != 0:
        raise ApplicationError("backup_tool_failed", f"{command[0]} 失败：{done.stderr.strip()[:500]}")


def _empty_dir(path: Path, *, code: str, what: str) -> None:
    if path.exists() and not path.is_dir():
        raise ApplicationError(code, f"{what} {path} 是一个文件，不是目录")
    if path.exists() and any(path.iterdir()):
        raise ApplicationError(code, f"{what} {path} 不是空的")


# --- backup ------------------------------------------------------------------------------------

def backup(target: Path, *, progress: Progress = lambda _: None) -> dict:
    """Writes a consistent snapshot into `target` (absent or empty) and returns its manifest.
    The counts and the audit head are read in the very snapshot that is saved, so a restore
    that matches them restored exactly this. Refuses a target that holds anything."""
    target = Path(target)
    _empty_dir(target, code="backup_target_not_empty", what="备份目录")
    target.mkdir(parents=True, exist_ok=True)
    tables = _tables()
    if connection.vendor == "sqlite":
        progress("复制数据库（SQLite 在线备份）")
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
        progress("导出数据库（pg_dump，与计数同一快照）")
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
        raise ApplicationError("backup_unsupported", f"不支持备份 {connection.vendor} 数据库")

    media_files = []
    media = _local_media()
    if media is not None and media.is_dir():
        progress("复制上传文件")
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
        "keys": {"included": False, **_key_fingerprints(), "note": KEYS_NOTE},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    progress(f"完成：{len(counts)} 张表，{manifest['rows']} 行，审计链至第 {head['seq']} 条，{len(media_files)} 个文件")
    return manifest


# --- restore -----------------------------------------------------------------------------------

def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ApplicationError("backup_unreadable", f"{path} 不存在或不是有效的备份清单") from None
    if manifest.get("format") != FORMAT:
        raise ApplicationError("backup_format", f"备份格式 {manifest.get('format')} 不受支持（应为 {FORMAT}）")
    return manifest


def _check_keys(manifest: dict) -> None:
    """A backup without the keys it was encrypted with cannot be read: refuse before writing."""
    wanted, have = manifest["keys"], _key_fingerprints()
    if wanted["field_encryption_keys"] and not set(wanted["field_encryption_keys"]) & set(
            have["field_encryption_keys"]):
        raise ApplicationError(
            "backup_keys_missing",
            "当前配置的 FIELD_ENCRYPTION_KEYS 中没有备份时使用的任何密钥（指纹 "
            f"{', '.join(wanted['field_encryption_keys'])}）：备份中的个人信息将无法读取，已停止恢复。")
    if wanted["blind_index_key"] != have["blind_index_key"]:
        raise ApplicationError(
            "backup_keys_missing",
            f"当前 BLIND_INDEX_KEY 与备份时不同（应为指纹 {wanted['blind_index_key']}）："
            "按身份证号检索将失效，已停止恢复。")


def _check_files(source: Path, manifest: dict) -> None:
    file = source / manifest["database_file"]
    if not file.is_file() or _sha256(file) != manifest["database_sha256"]:
        raise ApplicationError("backup_damaged", f"{file} 缺失或与清单的校验值不符")
    for name, digest in manifest["media"]["sha256"].items():
        path = source / MEDIA / name
        if not path.is_file() or _sha256(path) != digest:
            raise ApplicationError("backup_damaged", f"文件 {name} 缺失或与清单的校验值不符")


def restore(source: Path, *, progress: Progress = lambda _: None) -> Restored:
    """Fills an empty database (no tables: a new one, before `migrate`) and an empty media
    folder from `source`, then proves it: every table's count as in the manifest, and the
    audit chain whole up to the head the manifest names. Refuses, writing nothing, a damaged
    backup, one of another kind of database, keys other than the backup's, or a target that
    is not empty."""
    source = Path(source)
    manifest = read_manifest(source)
    if manifest["vendor"] != connection.vendor:
        raise ApplicationError("backup_vendor", f"备份来自 {manifest['vendor']}，当前数据库是 {connection.vendor}")
    _check_keys(manifest)
    _check_files(source, manifest)
    if _tables():
        raise ApplicationError("restore_target_not_empty", "目标数据库不是空的：恢复只写入新建的空数据库")
    media = _local_media()
    if manifest["media"]["files"]:
        if media is None:
            raise ApplicationError("restore_media_remote", "文件存于对象存储，请用其自身工具恢复上传文件")
        _empty_dir(media, code="restore_target_not_empty", what="上传文件目录")

    progress("写入数据库")
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
        progress("写入上传文件")
        shutil.copytree(source / MEDIA, media, dirs_exist_ok=True)

    progress("核对行数与审计链")
    with connection.cursor() as cursor:
        counts = _counts(cursor, sorted(manifest["tables"]))
        head = _head(cursor)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong:
        table, (want, got) = next(iter(wrong.items()))
        raise ApplicationError("restore_counts_differ", f"恢复后 {table} 有 {got} 行，清单为 {want} 行")
    if head != manifest["audit_head"]:
        raise ApplicationError("restore_head_differs", "恢复后的审计链末条与清单不符")
    verdict = verify(AuditEntry.objects.all(), workers=1)
    if not verdict.ok:
        raise ApplicationError("restore_chain_broken",
                               f"恢复后的审计链在第 {verdict.first_bad_seq} 条处断开：{verdict.reason}")
    return Restored(tables=len(counts), rows=sum(counts.values()), audit_entries=verdict.count,
                    media_files=manifest["media"]["files"])
