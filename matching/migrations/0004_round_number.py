"""Rounds are numbered per program: 1, 2, 3… (existing rounds in order of creation). The number
becomes required in the next migration (its own transaction, after these row updates)."""

from django.db import migrations, models

NUMBER_EXISTING = """
SELECT set_config('flipside.rls_bypass', 'on', true);
UPDATE matching_matchinground AS r SET number = n.position
FROM (
    SELECT id, row_number() OVER (PARTITION BY program_id ORDER BY created_at, id) AS position
    FROM matching_matchinground
) AS n
WHERE r.id = n.id;
SELECT set_config('flipside.rls_bypass', '', true);
"""


class Migration(migrations.Migration):
    dependencies = [("matching", "0003_pair_lifecycle")]

    operations = [
        migrations.AddField(
            model_name="matchinground",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(NUMBER_EXISTING, reverse_sql=migrations.RunSQL.noop),
    ]
