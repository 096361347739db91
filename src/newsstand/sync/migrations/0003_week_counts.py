"""Per-week counts (sync.models.PublisherWeek, ReadWeek): the per-day counts summed per ISO week
(from Monday, UTC), kept by triggers on the per-day tables, so that whatever changes a day's
count (the articles' and History's triggers of migration 0002, a rebuild) changes its week's in
the same transaction. The weeks of the days already counted are filled in once, at the end.
"""

from django.db import migrations, models

from newsstand.sync.migrations._sql import run_script

# A week is named by its Monday: SQLite's date() steps back 6 days, then on to the next Monday
# (the same day if it is one); PostgreSQL truncates the day as a timestamp without a time zone,
# so the session's zone plays no part. Each day table's own upsert fires its UPDATE trigger
# (on both databases), the usual path: one UPDATE of the week by the difference.
SQLITE = """
CREATE TRIGGER sync_publisherweek_insert AFTER INSERT ON sync_publisherday BEGIN
  INSERT INTO sync_publisherweek (publisher_id, week, articles)
  VALUES (NEW.publisher_id, date(NEW.day, '-6 days', 'weekday 1'), NEW.articles)
  ON CONFLICT (publisher_id, week) DO UPDATE SET articles = articles + excluded.articles;
END;
CREATE TRIGGER sync_publisherweek_count AFTER UPDATE ON sync_publisherday
WHEN OLD.publisher_id = NEW.publisher_id AND OLD.day = NEW.day BEGIN
  UPDATE sync_publisherweek SET articles = articles + NEW.articles - OLD.articles
  WHERE publisher_id = NEW.publisher_id AND week = date(NEW.day, '-6 days', 'weekday 1');
END;
CREATE TRIGGER sync_publisherweek_move AFTER UPDATE ON sync_publisherday
WHEN OLD.publisher_id IS NOT NEW.publisher_id OR OLD.day IS NOT NEW.day BEGIN
  UPDATE sync_publisherweek SET articles = articles - OLD.articles
  WHERE publisher_id = OLD.publisher_id AND week = date(OLD.day, '-6 days', 'weekday 1');
  INSERT INTO sync_publisherweek (publisher_id, week, articles)
  VALUES (NEW.publisher_id, date(NEW.day, '-6 days', 'weekday 1'), NEW.articles)
  ON CONFLICT (publisher_id, week) DO UPDATE SET articles = articles + excluded.articles;
END;
CREATE TRIGGER sync_publisherweek_delete AFTER DELETE ON sync_publisherday BEGIN
  UPDATE sync_publisherweek SET articles = articles - OLD.articles
  WHERE publisher_id = OLD.publisher_id AND week = date(OLD.day, '-6 days', 'weekday 1');
END;
CREATE TRIGGER sync_readweek_insert AFTER INSERT ON sync_readday BEGIN
  INSERT INTO sync_readweek (user_id, publisher_id, week, reads)
  VALUES (NEW.user_id, NEW.publisher_id, date(NEW.day, '-6 days', 'weekday 1'), NEW.reads)
  ON CONFLICT (user_id, publisher_id, week) DO UPDATE SET reads = reads + excluded.reads;
END;
CREATE TRIGGER sync_readweek_count AFTER UPDATE ON sync_readday
WHEN OLD.user_id = NEW.user_id AND OLD.publisher_id = NEW.publisher_id AND OLD.day = NEW.day
BEGIN
  UPDATE sync_readweek SET reads = reads + NEW.reads - OLD.reads
  WHERE user_id = NEW.user_id AND publisher_id = NEW.publisher_id
    AND week = date(NEW.day, '-6 days', 'weekday 1');
END;
CREATE TRIGGER sync_readweek_move AFTER UPDATE ON sync_readday
WHEN OLD.user_id IS NOT NEW.user_id OR OLD.publisher_id IS NOT NEW.publisher_id
  OR OLD.day IS NOT NEW.day BEGIN
  UPDATE sync_readweek SET reads = reads - OLD.reads
  WHERE user_id = OLD.user_id AND publisher_id = OLD.publisher_id
    AND week = date(OLD.day, '-6 days', 'weekday 1');
  INSERT INTO sync_readweek (user_id, publisher_id, week, reads)
  VALUES (NEW.user_id, NEW.publisher_id, date(NEW.day, '-6 days', 'weekday 1'), NEW.reads)
  ON CONFLICT (user_id, publisher_id, week) DO UPDATE SET reads = reads + excluded.reads;
END;
CREATE TRIGGER sync_readweek_delete AFTER DELETE ON sync_readday BEGIN
  UPDATE sync_readweek SET reads = reads - OLD.reads
  WHERE user_id = OLD.user_id AND publisher_id = OLD.publisher_id
    AND week = date(OLD.day, '-6 days', 'weekday 1');
END;
INSERT INTO sync_publisherweek (publisher_id, week, articles)
SELECT publisher_id, date(day, '-6 days', 'weekday 1'), SUM(articles) FROM sync_publisherday
GROUP BY 1, 2;
INSERT INTO sync_readweek (user_id, publisher_id, week, reads)
SELECT user_id, publisher_id, date(day, '-6 days', 'weekday 1'), SUM(reads) FROM sync_readday
GROUP BY 1, 2, 3;
"""

SQLITE_UNDO = """
DROP TRIGGER IF EXISTS sync_publisherweek_insert;
DROP TRIGGER IF EXISTS sync_publisherweek_count;
DROP TRIGGER IF EXISTS sync_publisherweek_move;
DROP TRIGGER IF EXISTS sync_publisherweek_delete;
DROP TRIGGER IF EXISTS sync_readweek_insert;
DROP TRIGGER IF EXISTS sync_readweek_count;
DROP TRIGGER IF EXISTS sync_readweek_move;
DROP TRIGGER IF EXISTS sync_readweek_delete;
"""

POSTGRESQL = """
CREATE FUNCTION sync_publisherweek_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.publisher_id = NEW.publisher_id AND OLD.day = NEW.day THEN
    UPDATE sync_publisherweek SET articles = articles + NEW.articles - OLD.articles
    WHERE publisher_id = NEW.publisher_id AND week = date_trunc('week', NEW.day::timestamp)::date;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE sync_publisherweek SET articles = articles - OLD.articles
    WHERE publisher_id = OLD.publisher_id AND week = date_trunc('week', OLD.day::timestamp)::date;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO sync_publisherweek (publisher_id, week, articles)
    VALUES (NEW.publisher_id, date_trunc('week', NEW.day::timestamp)::date, NEW.articles)
    ON CONFLICT (publisher_id, week)
    DO UPDATE SET articles = sync_publisherweek.articles + excluded.articles;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sync_publisherweek_keep AFTER INSERT OR DELETE OR UPDATE ON sync_publisherday
FOR EACH ROW EXECUTE FUNCTION sync_publisherweek_keep();

CREATE FUNCTION sync_readweek_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id AND OLD.publisher_id = NEW.publisher_id
     AND OLD.day = NEW.day THEN
    UPDATE sync_readweek SET reads = reads + NEW.reads - OLD.reads
    WHERE user_id = NEW.user_id AND publisher_id = NEW.publisher_id
      AND week = date_trunc('week', NEW.day::timestamp)::date;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE sync_readweek SET reads = reads - OLD.reads
    WHERE user_id = OLD.user_id AND publisher_id = OLD.publisher_id
      AND week = date_trunc('week', OLD.day::timestamp)::date;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO sync_readweek (user_id, publisher_id, week, reads)
    VALUES (NEW.user_id, NEW.publisher_id, date_trunc('week', NEW.day::timestamp)::date,
            NEW.reads)
    ON CONFLICT (user_id, publisher_id, week)
    DO UPDATE SET reads = sync_readweek.reads + excluded.reads;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sync_readweek_keep AFTER INSERT OR DELETE OR UPDATE ON sync_readday
FOR EACH ROW EXECUTE FUNCTION sync_readweek_keep();

INSERT INTO sync_publisherweek (publisher_id, week, articles)
SELECT publisher_id, date_trunc('week', day::timestamp)::date, SUM(articles)
FROM sync_publisherday GROUP BY 1, 2;
INSERT INTO sync_readweek (user_id, publisher_id, week, reads)
SELECT user_id, publisher_id, date_trunc('week', day::timestamp)::date, SUM(reads)
FROM sync_readday GROUP BY 1, 2, 3;
"""

POSTGRESQL_UNDO = """
DROP TRIGGER IF EXISTS sync_publisherweek_keep ON sync_publisherday;
DROP TRIGGER IF EXISTS sync_readweek_keep ON sync_readday;
DROP FUNCTION IF EXISTS sync_publisherweek_keep();
DROP FUNCTION IF EXISTS sync_readweek_keep();
"""


def keep_weeks(apps, schema_editor):
    run_script(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop_triggers(apps, schema_editor):
    run_script(schema_editor, {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO})



class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0002_day_counts'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublisherWeek',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('publisher_id', models.BigIntegerField()),
                ('week', models.DateField()),
                ('articles', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='ReadWeek',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('user_id', models.BigIntegerField()),
                ('publisher_id', models.BigIntegerField()),
                ('week', models.DateField()),
                ('reads', models.IntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='publisherday',
            name='publisherday_sum',
        ),
        migrations.RemoveIndex(
            model_name='readday',
            name='readday_sum',
        ),
        migrations.AddIndex(
            model_name='publisherday',
            index=models.Index(fields=['day', 'publisher_id', 'articles'], name='publisherday_by_day'),
        ),
        migrations.AddIndex(
            model_name='readday',
            index=models.Index(fields=['user_id', 'day', 'publisher_id', 'reads'], name='readday_by_day'),
        ),
        migrations.AddIndex(
            model_name='publisherweek',
            index=models.Index(fields=['week', 'publisher_id', 'articles'], name='publisherweek_by_week'),
        ),
        migrations.AddConstraint(
            model_name='publisherweek',
            constraint=models.UniqueConstraint(fields=('publisher_id', 'week'), name='publisherweek_unique'),
        ),
        migrations.AddIndex(
            model_name='readweek',
            index=models.Index(fields=['user_id', 'week', 'publisher_id', 'reads'], name='readweek_by_week'),
        ),
        migrations.AddConstraint(
            model_name='readweek',
            constraint=models.UniqueConstraint(fields=('user_id', 'publisher_id', 'week'), name='readweek_unique'),
        ),
        migrations.RunPython(keep_weeks, drop_triggers),
    ]
