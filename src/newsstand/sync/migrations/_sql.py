"""Running a migration's SQL written for each database (the per-day and per-week counts'
triggers). Django's migration loader skips modules whose names begin with "_": this is not a
migration."""

import sqlite3


def run_script(schema_editor, scripts):
    """Run `scripts[vendor]` for the migrating connection's database; refuse one with none."""
    vendor = schema_editor.connection.vendor
    if vendor not in scripts:
        raise RuntimeError(f"no count triggers written for {vendor}")
    script = scripts[vendor]
    if vendor != "sqlite":
        schema_editor.execute(script, params=None)
        return
    # One statement at a time (a trigger's body has semicolons of its own): sqlite3's
    # executescript would commit the migration's transaction first.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            schema_editor.execute(statement.strip(), params=None)
            statement = ""
