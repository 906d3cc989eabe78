"""Indexes for the staff's to-do list and case search at millions of cases
(bench/cases_scale.py): cases by the applicant's unit and status, by the first
characters of the applicant's name, newest first with and without a status; open
unclaimed work by unit and role, one's claimed and decided work, each carrying the
case. The indexes these make redundant go (the status and applicant-name columns' own,
the decider's foreign-key index).

On a big PostgreSQL table each CREATE INDEX blocks writes to it while it builds (tens
of seconds at 3,000,000 cases): apply it in a quiet hour."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='workitem',
            name='work_by_assignee',
        ),
        migrations.AlterField(
            model_name='case',
            name='applicant_name',
            field=models.CharField(max_length=64, verbose_name='申请人'),
        ),
        migrations.AlterField(
            model_name='case',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('submitted', '待受理'), ('returned', '退回补正'), ('refused', '不予受理'), ('in_approval', '审批中'), ('completed', '已办结'), ('rejected', '未通过'), ('withdrawn', '已撤回')], default='draft', max_length=16, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='workitem',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='decided_work', to=settings.AUTH_USER_MODEL, verbose_name='办理人'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['applicant_unit', 'status'], name='case_by_applicant_unit_status'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['applicant_name'], name='case_by_applicant_name', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', '-created_at', '-id'], name='case_by_status_newest'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-created_at', '-id'], name='case_newest'),
        ),
        migrations.AddIndex(
            model_name='workitem',
            index=models.Index(condition=models.Q(('assignee__isnull', True), ('state', 'open')), fields=['org_unit', 'role', 'due_date', 'id'], include=('case',), name='work_open_unclaimed'),
        ),
        migrations.AddIndex(
            model_name='workitem',
            index=models.Index(fields=['assignee', 'state'], include=('case',), name='work_by_assignee_case'),
        ),
        migrations.AddIndex(
            model_name='workitem',
            index=models.Index(fields=['decided_by', '-decided_at'], include=('case',), name='work_by_decider'),
        ),
    ]
