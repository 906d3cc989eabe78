"""A loan names the booking it was lent against (one loan per booking, refused by the
database too), instead of a free-text reference; a policy names the card-loan service
whose bookings it lends against."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Loan = apps.get_model("loans", "Loan")
    Booking = apps.get_model("booking", "Booking")
    Policy = apps.get_model("loans", "Policy")
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    taken = set()
    for loan in Loan.objects.exclude(booking_ref="").order_by("pk"):
        ref = loan.booking_ref.removeprefix("booking:")
        if ref.isdigit() and int(ref) not in taken and Booking.objects.filter(pk=int(ref)).exists():
            taken.add(int(ref))
            Loan.objects.filter(pk=loan.pk).update(booking_id=int(ref))
    # a policy's service, where its unit has exactly one card-loan (or "in school only")
    # service; otherwise an admin names it in the back office
    for policy in Policy.objects.filter(service__isnull=True):
        candidates = list(ServiceItem.objects.filter(org_unit_id=policy.org_unit_id,
                                                     effect__in=("hukou.card_loan", "hukou.in_school_only"))
                          .values_list("pk", flat=True)[:2])
        if len(candidates) == 1:
            Policy.objects.filter(pk=policy.pk).update(service_id=candidates[0])


def backwards(apps, schema_editor):
    Loan = apps.get_model("loans", "Loan")
    for loan in Loan.objects.filter(booking__isnull=False):
        Loan.objects.filter(pk=loan.pk).update(booking_ref=f"booking:{loan.booking_id}")


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0003_ordering_without_joins'),
        ('catalog', '0003_ordering_without_joins'),
        ('loans', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='loan',
            name='booking',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name='loan', to='booking.booking', verbose_name='预约'),
        ),
        migrations.AddField(
            model_name='policy',
            name='service',
            field=models.ForeignKey(blank=True, help_text='只能凭该事项的预约（签到后或现场取号）借出', null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='catalog.serviceitem', verbose_name='借用预约事项'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
