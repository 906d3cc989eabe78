from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.assistant.models import FAQ


class AskForm(forms.Form):
    # a long paste is not refused: the assistant reads its first 500 characters
    q = forms.CharField(label=_("Your question"), required=False, max_length=20000, strip=True)
    choice = forms.CharField(required=False, max_length=40)


class FeedbackForm(forms.Form):
    question = forms.IntegerField(min_value=1)
    helpful = forms.TypedChoiceField(choices=[("1", _("Helpful")), ("0", _("Not helpful"))],
                                     coerce=lambda v: v == "1")


class FAQForm(forms.ModelForm):
    class Meta:
        model = FAQ
        fields = ["service", "question", "answer", "is_active"]
