"""The public verification page's two questions: a file to check, or a number to look up."""

from __future__ import annotations

from django import forms
from django.conf import settings


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label="PDF 文件", error_messages={
        "required": "请选择要核验的 PDF 文件。", "empty": "上传的文件是空的，请选择要核验的 PDF 文件。",
        "invalid": "请选择要核验的 PDF 文件。", "missing": "请选择要核验的 PDF 文件。"})

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        limit = settings.CASE_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"文件过大，不能超过 {limit // (1024 * 1024)} MB。", code="pdf_too_large")
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(f"文件过大，不能超过 {limit // (1024 * 1024)} MB。", code="pdf_too_large")
        if not data.lstrip()[:5] == b"%PDF-":
            raise forms.ValidationError("上传的文件不是 PDF。", code="pdf_not_pdf")
        return data


class NumberForm(forms.Form):
    number = forms.CharField(label="文书编号", max_length=48, error_messages={
        "required": "请输入文书上印的编号。", "max_length": "文书编号不超过 48 个字符。"})

    def clean_number(self) -> str:
        number = "".join(self.cleaned_data["number"].split()).upper()
        if not number or not all(c.isascii() and (c.isalnum() or c == "-") for c in number):
            raise forms.ValidationError("文书编号只含字母、数字和连字符，如 RH-2026-000001-JG。", code="bad_number")
        return number
