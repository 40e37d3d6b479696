# Issue 14: the value view (policy weights and poor-value thresholds, snapshot value
# and flag), the review following the spend both ways (its figures on the proposal).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tiers', '0003_snapshot_drop_fk_indexes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='tierpolicy',
            name='downgrade_inactive_months',
        ),
        migrations.RemoveField(
            model_name='tierpolicy',
            name='upgrade_booking_growth',
        ),
        migrations.RemoveField(
            model_name='tierpolicy',
            name='upgrade_spend_growth_percent',
        ),
        migrations.AddField(
            model_name='customersnapshot',
            name='poor_value',
            field=models.BooleanField(default=False, verbose_name='large but poor value'),
        ),
        migrations.AddField(
            model_name='customersnapshot',
            name='value_score',
            field=models.PositiveSmallIntegerField(null=True, verbose_name='value'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='avg_payment_delay_days',
            field=models.DecimalField(decimal_places=1, max_digits=8, null=True, verbose_name='average payment delay (days)'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='grade_threshold',
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='grade threshold (¥)'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='gross_profit_12m',
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='12-month gross profit (¥)'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='manual_since',
            field=models.DateTimeField(blank=True, null=True, verbose_name='grade set by hand on'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='poor_value',
            field=models.BooleanField(default=False, verbose_name='large but poor value'),
        ),
        migrations.AddField(
            model_name='segmentsummary',
            name='poor_value',
            field=models.BooleanField(default=False, verbose_name='large but poor value'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='poor_value_delay_days',
            field=models.PositiveSmallIntegerField(default=30, help_text='… or paying more days than this after the due date, on average.', verbose_name='poor value: or paying later than (days)'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='poor_value_margin_percent',
            field=models.PositiveSmallIntegerField(default=10, help_text='A large customer is poor value with a thinner margin than this …', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='poor value: gross margin below (%)'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='value_weight_delay',
            field=models.PositiveSmallIntegerField(default=20, help_text='The later a customer pays after the due date, the lower this part.', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='value: weight of paying on time'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='value_weight_frequency',
            field=models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='value: weight of the bookings'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='value_weight_margin',
            field=models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='value: weight of the gross margin'),
        ),
        migrations.AddField(
            model_name='tierpolicy',
            name='value_weight_spend',
            field=models.PositiveSmallIntegerField(default=40, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='value: weight of the 12-month spend'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='reason',
            field=models.CharField(choices=[('first_grade', 'First grade from 12-month spend'), ('spend_grade', 'The 12-month spend implies another grade'), ('spend_growth', 'Spend reached a higher grade and grew strongly'), ('frequency_growth', 'Spend reached a higher grade; more bookings'), ('inactive', 'Long inactivity'), ('complaints', 'Complaints on record')], max_length=20, verbose_name='reason'),
        ),
        migrations.AddIndex(
            model_name='customersnapshot',
            index=models.Index(condition=models.Q(('value_score__isnull', False)), fields=['month', '-value_score'], name='tiers_snapshot_value'),
        ),
        migrations.AddIndex(
            model_name='customersnapshot',
            index=models.Index(condition=models.Q(('poor_value', True)), fields=['month', '-spend_12m'], name='tiers_snapshot_poor_value'),
        ),
        migrations.AddConstraint(
            model_name='tierpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('value_weight_spend__gt', 0), ('value_weight_margin__gt', 0), ('value_weight_delay__gt', 0), ('value_weight_frequency__gt', 0), _connector='OR'), name='tierpolicy_value_has_a_weight', violation_error_message='Give at least one value weight above 0.'),
        ),
    ]
