"""A service whose form is sent in campaigns rather than applied for: it names the effect
`campaigns.form` (a service without approval steps needs an effect to be published), and
an application to it is refused, pointing to the campaign's to-do."""

from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalog import effects
from tongban.lib.errors import StateConflict


def _refuse(*, case, actor) -> None:
    raise StateConflict("campaign_form", _("This form is filled in through the campaigns sent to you, under "
                                           "“Forms to fill”"))


# the label stays lazy (shown in the back office's language); the registry's hint says str
LABEL = cast(str, gettext_lazy("Filled in campaigns (no application)"))


@effects.register("campaigns.form", LABEL, submitted=_refuse)
def complete(*, case, actor) -> None:
    """Nothing: such a case is refused at submission."""
