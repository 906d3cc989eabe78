"""The public verification page's two questions: a file to check, or a number to look up."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=_("PDF file"), error_messages={
        "required": _("Please choose the PDF file to check."), "empty": _("The uploaded file is empty; please choose "
                                                                          "the PDF file to check."),
        "invalid": _("Please choose the PDF file to check."), "missing": _("Please choose the PDF file to check.")})

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        limit = settings.CASE_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(gettext("The file is too large: at most %(mb)s MB.") % {
                "mb": limit // (1024 * 1024)}, code="pdf_too_large")
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(gettext("The file is too large: at most %(mb)s MB.") % {
                "mb": limit // (1024 * 1024)}, code="pdf_too_large")
        if not data.lstrip()[:5] == b"%PDF-":
            raise forms.ValidationError(gettext("The uploaded file is not a PDF."), code="pdf_not_pdf")
        return data


class NumberForm(forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=48, error_messages={
        "required": _("Please enter the number printed on the document."), "max_length": _("A document number is at "
                                                                                           "most 48 characters.")})

    def clean_number(self) -> str:
        number = "".join(self.cleaned_data["number"].split()).upper()
        if not number or not all(c.isascii() and (c.isalnum() or c == "-") for c in number):
            raise forms.ValidationError(gettext("A document number has only letters, digits and hyphens, like "
                                                "RH-2026-000001-JG."), code="bad_number")
        return number
