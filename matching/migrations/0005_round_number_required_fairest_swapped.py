"""A round's number is required and unique in its program; a fairest mode; proposals remember
when an administrator swapped them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_round_number")]

    operations = [
        migrations.AlterField(
            model_name="matchinground",
            name="number",
            field=models.PositiveIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="matchinground",
            constraint=models.UniqueConstraint(
                fields=("organization", "program", "number"),
                name="matching_round_number_per_program",
            ),
        ),
        migrations.AlterField(
            model_name="matchinground",
            name="mode",
            field=models.CharField(
                choices=[
                    ("score_first", "Highest total score"),
                    ("max_matched_first", "Most people matched, then score"),
                    (
                        "fairest",
                        "Fairest: most matched, then the best lowest score, then score",
                    ),
                ],
                default="score_first",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="proposedpair",
            name="swapped",
            field=models.BooleanField(default=False),
        ),
    ]
