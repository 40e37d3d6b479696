"""The sentences stored before 0003 are facts now: drop the prose columns. (Going
backwards restores them empty.)"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("followups", "0003_reason_facts")]

    operations = [
        migrations.RemoveField(model_name="followup", name="cap_note"),
        migrations.RemoveField(model_name="followup", name="reason"),
    ]
