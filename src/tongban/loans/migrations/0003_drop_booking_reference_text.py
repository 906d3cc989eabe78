"""The free-text booking reference, copied to Loan.booking by 0002, goes. (Its own
migration: on PostgreSQL a table whose rows were just updated with deferred foreign
keys cannot be altered in the same transaction.)"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('loans', '0002_lent_against_a_booking'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='loan',
            name='booking_ref',
        ),
    ]
