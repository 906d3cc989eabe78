"""Every word a user sees goes through gettext, with its Chinese in a zh_Hans catalog
(scripts/check_i18n.py). The checker is first shown to catch a Chinese literal, a Chinese
template line and a msgid without a translation in a fake package, so that the check of
the real tree cannot pass by finding nothing."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

import tongban

ROOT = Path(tongban.__file__).resolve().parents[2]


@pytest.fixture
def checker():
    spec = importlib.util.spec_from_file_location("check_i18n", ROOT / "scripts" / "check_i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake(root: Path, files: dict[str, str]) -> Path:
    package = root / "src" / "tongban"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for app in {name.split("/")[0] for name in files if "/" in name}:
        (package / app / "__init__.py").touch()
    return package


def test_the_checker_finds_chinese_left_in_code_and_templates(checker, tmp_path, monkeypatch):
    fake = _fake(tmp_path, {
        "gadgets/views.py": (
            '"""模块说明可以是中文。"""\n'
            "from django.utils.translation import gettext as _\n"
            "def view():\n"
            '    """函数说明也可以。"""\n'
            "    # 注释不算\n"
            '    ok = _("Saved")\n'
            '    header = "姓名"  # i18n: data\n'
            '    return "已保存"\n'
        ),
        "gadgets/templates/gadgets/page.html": (
            "{% load i18n %}{# 注释 #}\n<h1>{% translate \"Apply\" %}</h1>\n<p>请填写</p>\n"),
        "gadgets/tests/test_x.py": 'assert "中文" in page\n',
        "gadgets/migrations/0001_x.py": 'verbose_name = "旧名"\n',
    })
    monkeypatch.setattr(checker, "SRC", fake)
    found = checker.findings([fake])
    assert [(where.rsplit(":", 1)[-1], text) for where, text in found] == [
        ("3", "<p>请填写</p>"), ("8", '"已保存"')]
    assert {where.split(":")[0] for where, _ in found} == {
        "src/tongban/gadgets/templates/gadgets/page.html", "src/tongban/gadgets/views.py"}


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="GNU gettext is installed by `make browser`")
def test_the_checker_finds_a_msgid_without_chinese(checker, tmp_path, monkeypatch):
    fake = _fake(tmp_path, {
        "gadgets/views.py": (
            "from django.utils.translation import gettext as _\n"
            'def view():\n    return _("Saved"), _("Not yet translated")\n'),
        "gadgets/locale/zh_Hans/LC_MESSAGES/django.po": (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "Saved"\nmsgstr "已保存"\n'),
    })
    monkeypatch.setattr(checker, "SRC", fake)
    found = checker.findings([fake], catalogs=True)
    assert found == [("src/tongban/gadgets/locale/zh_Hans/LC_MESSAGES/django.po",
                      "untranslated: Not yet translated")]


def test_the_checker_finds_a_msgid_two_catalogs_translate_differently(checker, tmp_path, monkeypatch):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    fake = _fake(tmp_path, {
        "gadgets/locale/zh_Hans/LC_MESSAGES/django.po": header + (
            'msgid "Name"\nmsgstr "姓名"\n\nmsgctxt "thing"\nmsgid "Name"\nmsgstr "名称"\n\n'
            'msgid ""\n"A long "\n"sentence"\nmsgstr "长句"\n'),
        "widgets/locale/zh_Hans/LC_MESSAGES/django.po": header + (
            'msgid "Name"\nmsgstr "名称"\n\nmsgctxt "thing"\nmsgid "Name"\nmsgstr "名称"\n\n'
            'msgid "A long sentence"\nmsgstr "一个长句"\n'),
    })
    monkeypatch.setattr(checker, "SRC", fake)
    assert [text for _where, text in checker.conflict_findings()] == [
        "conflict: Name is 名称 here but 姓名 in src/tongban/gadgets/locale/zh_Hans/LC_MESSAGES/django.po",
        "conflict: A long sentence is 一个长句 here but 长句 in "
        "src/tongban/gadgets/locale/zh_Hans/LC_MESSAGES/django.po",
    ]


def test_no_two_catalogs_translate_a_msgid_differently(checker):
    """Django merges the catalogs and the first installed app wins: the other app's page
    would not say what its own catalog says."""
    found = list(checker.conflict_findings())
    assert found == [], "\n".join(f"{where}: {text}" for where, text in found[:40])


def test_no_chinese_is_left_outside_the_catalogs(checker):
    found = checker.findings([ROOT / "src" / "tongban"])
    assert found == [], "\n".join(f"{where}: {text}" for where, text in found[:40])


def test_every_catalog_compiles_without_a_format_error():
    """A msgstr that drops or renames a %(name)s of its msgid would raise at render time."""
    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext is installed by `make browser`")
    for po in (ROOT / "src" / "tongban").glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_django_s_own_words_are_chinese_too(client):
    """Password rules and the admin come from Django's zh_Hans catalog."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("1234")
    assert "密码" in " ".join(refused.value.messages)
    admin_login = client.get("/admin/login/").content.decode()
    assert "登录" in admin_login and "通办 · 后台管理" in admin_login


@override_settings(LANGUAGES=[("zh-hans", "简体中文"), ("en", "English")])
def test_a_second_language_is_a_catalog_away(client):
    """The msgids are English: with the catalog switched off the page reads in English,
    the same words, so a translator's catalog is all a second language needs."""
    with translation.override("en"):
        assert translation.gettext("Apply") == "Apply"
    with translation.override("zh-hans"):
        assert translation.gettext("This field is required.") == "这个字段是必填项。"
