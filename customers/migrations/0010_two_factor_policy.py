"""Two-factor sign-in: the custody policy says which roles must use it, and the audit log
has the two-factor actions (and the sign-in ones added beside them)."""

import customers.models.custody
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_normalised_identifiers"),
    ]

    operations = [
        migrations.AddField(
            model_name="custodypolicy",
            name="two_factor_roles",
            field=models.JSONField(
                blank=True,
                default=customers.models.custody.default_two_factor_roles,
                help_text=(
                    "People in these roles must set up two-factor sign-in before they can "
                    "open any page. Applies from their next sign-in."
                ),
                verbose_name="two-factor sign-in required for",
            ),
        ),
        migrations.AddField(
            model_name="historicalcustodypolicy",
            name="two_factor_roles",
            field=models.JSONField(
                blank=True,
                default=customers.models.custody.default_two_factor_roles,
                help_text=(
                    "People in these roles must set up two-factor sign-in before they can "
                    "open any page. Applies from their next sign-in."
                ),
                verbose_name="two-factor sign-in required for",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("create", "Created"),
                    ("change", "Changed"),
                    ("export", "Exported"),
                    ("download", "Downloaded"),
                    ("reveal_id", "Revealed full ID number"),
                    ("delete", "Deleted"),
                    ("restore", "Restored"),
                    ("grant_access", "Granted special access"),
                    ("refuse_access", "Refused special access"),
                    ("handover", "Handed over"),
                    ("2fa_enrol", "Set up two-factor sign-in"),
                    ("2fa_pass", "Passed the two-factor check"),
                    ("2fa_fail", "Failed the two-factor check"),
                    ("2fa_codes", "Made new recovery codes"),
                    ("2fa_disable", "Turned off two-factor sign-in"),
                    ("2fa_reset", "Reset someone's two-factor sign-in"),
                    ("login", "Signed in"),
                    ("login_failed", "Failed to sign in"),
                    ("logout", "Signed out"),
                    ("login_unlock", "Unlocked a locked sign-in"),
                    ("password_change", "Changed their password"),
                    ("password_require", "Required a password change"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
    ]
