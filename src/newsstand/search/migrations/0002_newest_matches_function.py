"""search_newest_matches(): the newest matches from the GIN index (backends/postgres.py).

Databases migrated from 0001 on a fresh install already have it (postgres.install creates it);
this adds it to those installed before. SQLite has nothing to do."""

from django.db import migrations


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from newsstand.search.backends import postgres

    schema_editor.execute(postgres.NEWEST_MATCHES_SQL)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS search_newest_matches(tsquery, bigint)")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
