"""Messages that acts of apps below notify send through hooks those apps offer (people is
below notify, so its import job cannot call notify itself)."""

from __future__ import annotations

from django.urls import reverse

from tongban.notify.services import notify


def import_finished(*, job, outcome) -> None:
    """Tells the importer a people import is done, once per job."""
    notify(event="people.import_finished", recipients=[job.created_by], key=f"people.import:{job.pk}",
           context={"file": job.original_name, "created": outcome.created, "updated": outcome.updated,
                    "refused": len(outcome.errors)},
           link=reverse("workbench:import-status", args=[job.pk]), obj=job)
