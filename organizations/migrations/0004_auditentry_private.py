"""Private audit entries (a private note's events), and the entries already written about private
notes marked so. A deleted note's earlier ``note.delete`` entry says nothing of its visibility and
stays as it is."""

from django.db import migrations, models

from organizations.scope import RLS_BYPASS_SETTING

MARK_PRIVATE_NOTE_ENTRIES = (
    "UPDATE organizations_auditentry SET private = true "
    "WHERE action IN ('note.create', 'note.update') AND data->>'visibility' = 'private'"
)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0003_organization_demographic_options_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="private",
            field=models.BooleanField(
                default=False, help_text="Shown to its actor only (e.g. a private note's events)."
            ),
        ),
        migrations.RunSQL(
            # Row-level security hides every tenant row outside a scope: open it for this update.
            [
                f"SET LOCAL {RLS_BYPASS_SETTING} = 'on'",
                MARK_PRIVATE_NOTE_ENTRIES,
                f"SET LOCAL {RLS_BYPASS_SETTING} = 'off'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
