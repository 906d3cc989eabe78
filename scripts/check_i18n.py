#!/usr/bin/env python3
"""Say it in Chinese, once: every word a user can see goes through gettext, with its
Chinese in the app's zh_Hans catalog.

    scripts/check_i18n.py [PATH ...]          # literals left in code and templates
    scripts/check_i18n.py --catalogs [PATH ...]  # and msgids without a translation

A finding is printed as `file:line: text`; the exit status is 1 when there is one.

- Python: a string literal holding a Chinese character, outside a docstring, is a
  finding (the msgid is English, the Chinese lives in the catalog). Data that must stay
  Chinese whatever the language of the page (a column header matched in an uploaded
  file, a holiday's legal name) carries `# i18n: data` on its line, or its module is
  listed in DATA_MODULES.
- Templates: a Chinese character outside a template comment is a finding.
- Catalogs (--catalogs, needs GNU gettext): each app's messages are extracted into a
  scratch copy with `makemessages`, and a msgid with no msgstr, or a fuzzy one, is a
  finding named by the catalog and the msgid. So is a msgid that two catalogs translate
  differently: Django merges the catalogs and the app listed first wins, so one of the two
  pages would not say what its catalog says.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "tongban"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
SKIP_DIRS = {"tests", "migrations", "demo", "locale", "__pycache__", "static"}
SKIP_FILES = {"conftest.py"}
# Modules that are data, not wording: they stay Chinese in every language.
DATA_MODULES: set[str] = set()
PRAGMA = "i18n: data"
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)


def _files(paths: list[Path]):
    for path in paths:
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in candidates:
            if not file.is_file() or SKIP_DIRS & set(file.relative_to(SRC).parts[:-1]):
                continue
            if file.name in SKIP_FILES:
                continue
            if file.suffix in {".py", ".html", ".txt"}:
                yield file


def _is_docstring(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    quiet = {tokenize.NL, tokenize.COMMENT}
    before = next((t for t in reversed(tokens[:i]) if t.type not in quiet), None)
    after = next((t for t in tokens[i + 1:] if t.type not in quiet), None)
    starts = before is None or before.type in {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                                tokenize.ENCODING}
    return starts and (after is None or after.type in {tokenize.NEWLINE, tokenize.ENDMARKER})


def python_findings(file: Path):
    if file.relative_to(SRC).as_posix() in DATA_MODULES:
        return
    source = file.read_text(encoding="utf-8")
    lines = source.splitlines()
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for i, token in enumerate(tokens):
        is_text = token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1)
        if not is_text or not CJK.search(token.string) or _is_docstring(tokens, i):
            continue
        row = token.start[0]
        if any(PRAGMA in lines[n - 1] for n in range(row, token.end[0] + 1)):
            continue
        yield row, token.string.strip()[:70]


def template_findings(file: Path):
    text = file.read_text(encoding="utf-8")
    blanked = TEMPLATE_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for row, line in enumerate(blanked.splitlines(), 1):
        if CJK.search(line):
            yield row, line.strip()[:70]


def _catalog_of(file: Path) -> str:
    """The app whose catalog holds a file's messages; "" for the project's own catalog
    (src/tongban/locale: the shared templates and the top-level modules)."""
    first = file.relative_to(SRC).parts[0]
    return "" if first == "templates" or first.endswith(".py") else first


def catalog_findings(paths: list[Path]):
    """Extract every catalog's messages into a scratch copy and report what has no Chinese."""
    if not shutil.which("msgattrib"):
        sys.exit("--catalogs needs GNU gettext (apt-get install gettext)")
    tongban = Path(sys.executable).parent / "tongban"
    catalogs = sorted({_catalog_of(f) for f in _files(paths)})
    apps = [d.name for d in SRC.iterdir() if d.is_dir() and (d / "__init__.py").exists()]
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "tongban"
        shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        for catalog in catalogs:
            where = copy / catalog
            (where / "locale").mkdir(exist_ok=True)
            ignore = ["tests", "migrations", "static"] + ([] if catalog else apps)
            subprocess.run([str(tongban), "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0",
                            *(arg for name in ignore for arg in ("-i", name))],
                           cwd=where, check=True)
            po = where / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
            if not po.exists():
                continue
            shown = po.relative_to(copy.parent)
            for flag in ("--untranslated", "--only-fuzzy"):
                out = subprocess.run(["msgattrib", flag, "--no-wrap", str(po)],
                                     capture_output=True, text=True, check=True).stdout
                for msgid in re.findall(r'^msgid "(.+)"$', out, re.M):
                    yield f"src/{shown}", f"{flag[2:]}: {msgid}"


def _entries(po: Path):
    """(msgctxt, msgid, msgstr) of each translated entry of a catalog (entries are separated
    by blank lines; a keyword's string may go on over the lines below it)."""
    for block in re.split(r"\n\s*\n", po.read_text(encoding="utf-8")):
        entry: dict[str, str] = {}
        last = None
        for line in block.splitlines():
            keyword = re.match(r'^(msgctxt|msgid|msgstr) "(.*)"$', line)
            if keyword:
                last = keyword[1]
                entry[last] = keyword[2]
            elif line.startswith('"') and last:
                entry[last] += line[1:-1]
        if entry.get("msgid") and entry.get("msgstr"):
            yield entry.get("msgctxt", ""), entry["msgid"], entry["msgstr"]


def conflict_findings():
    """A msgid that two catalogs translate differently (the first installed app would win)."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for po in sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        shown = str(po.relative_to(SRC.parent.parent))
        for context, msgid, msgstr in _entries(po):
            first = seen.setdefault((context, msgid), (shown, msgstr))
            if first[1] != msgstr:
                yield shown, f"conflict: {msgid} is {msgstr} here but {first[1]} in {first[0]}"


def findings(paths: list[Path], *, catalogs: bool = False) -> list[tuple[str, str]]:
    """(where, text) for every word shown to people that does not go through a catalog."""
    found = []
    for file in _files(paths):
        check = python_findings if file.suffix == ".py" else template_findings
        found += [(f"{file.relative_to(SRC.parent.parent)}:{row}", text) for row, text in check(file)]
    if catalogs:
        found += list(catalog_findings(paths)) + list(conflict_findings())
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--catalogs", action="store_true")
    args = parser.parse_args(argv)
    found = findings([p.resolve() for p in args.paths] or [SRC], catalogs=args.catalogs)
    for where, text in found:
        print(f"{where}: {text}")
    if found:
        print(f"{len(found)} finding(s): wrap the text in gettext with an English msgid and give its "
              "Chinese in the app's locale/zh_Hans/LC_MESSAGES/django.po", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
