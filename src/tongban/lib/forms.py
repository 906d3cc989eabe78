"""The edge between a service's ApplicationError and a Django form."""

from __future__ import annotations

from django import forms

from tongban.lib.errors import ApplicationError


def add_service_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a refused act on the form: next to its field when the service named one the
    form has, above the form otherwise. The user's input stays as it was typed."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
