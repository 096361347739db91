"""Per-day counts of articles and of reads (sync.models.PublisherDay, ReadDay), kept by triggers.

The triggers are the only writers: Django never saves these rows. They are written here in each
database's own dialect (the one place Newsstand does so), because what they guarantee is that
every path that stores, moves or deletes an article or a History row (bulk inserts, cascades,
an editor's change, a queryset update) keeps the counts, in the same transaction. The counts of
what is already stored are filled in once, at the end.
"""

from django.db import migrations, models

from newsstand.sync.migrations._sql import run_script

# A day is the UTC date of the time: Django stores SQLite's datetimes as UTC text
# ("YYYY-MM-DD HH:MM:SS.ffffff"), PostgreSQL's as timestamptz.
SQLITE = """
CREATE TRIGGER sync_publisherday_insert AFTER INSERT ON articles_article
WHEN NEW.published_at IS NOT NULL BEGIN
  INSERT INTO sync_publisherday (publisher_id, day, articles)
  VALUES (NEW.publisher_id, substr(NEW.published_at, 1, 10), 1)
  ON CONFLICT (publisher_id, day) DO UPDATE SET articles = articles + 1;
END;
CREATE TRIGGER sync_publisherday_delete AFTER DELETE ON articles_article
WHEN OLD.published_at IS NOT NULL BEGIN
  UPDATE sync_publisherday SET articles = articles - 1
  WHERE publisher_id = OLD.publisher_id AND day = substr(OLD.published_at, 1, 10);
END;
CREATE TRIGGER sync_publisherday_update AFTER UPDATE OF publisher_id, published_at
ON articles_article
WHEN OLD.publisher_id IS NOT NEW.publisher_id
  OR substr(OLD.published_at, 1, 10) IS NOT substr(NEW.published_at, 1, 10) BEGIN
  UPDATE sync_publisherday SET articles = articles - 1
  WHERE OLD.published_at IS NOT NULL
    AND publisher_id = OLD.publisher_id AND day = substr(OLD.published_at, 1, 10);
  INSERT INTO sync_publisherday (publisher_id, day, articles)
  SELECT NEW.publisher_id, substr(NEW.published_at, 1, 10), 1 WHERE NEW.published_at IS NOT NULL
  ON CONFLICT (publisher_id, day) DO UPDATE SET articles = articles + 1;
END;
CREATE TRIGGER sync_readday_insert AFTER INSERT ON personal_readinghistory
WHEN NEW.article_publisher_id IS NOT NULL AND NEW.article_published_at IS NOT NULL BEGIN
  INSERT INTO sync_readday (user_id, publisher_id, day, reads)
  VALUES (NEW.user_id, NEW.article_publisher_id, substr(NEW.article_published_at, 1, 10), 1)
  ON CONFLICT (user_id, publisher_id, day) DO UPDATE SET reads = reads + 1;
END;
CREATE TRIGGER sync_readday_delete AFTER DELETE ON personal_readinghistory
WHEN OLD.article_publisher_id IS NOT NULL AND OLD.article_published_at IS NOT NULL BEGIN
  UPDATE sync_readday SET reads = reads - 1
  WHERE user_id = OLD.user_id AND publisher_id = OLD.article_publisher_id
    AND day = substr(OLD.article_published_at, 1, 10);
END;
CREATE TRIGGER sync_readday_update
AFTER UPDATE OF user_id, article_publisher_id, article_published_at ON personal_readinghistory
WHEN OLD.user_id IS NOT NEW.user_id
  OR OLD.article_publisher_id IS NOT NEW.article_publisher_id
  OR substr(OLD.article_published_at, 1, 10) IS NOT substr(NEW.article_published_at, 1, 10)
BEGIN
  UPDATE sync_readday SET reads = reads - 1
  WHERE OLD.article_publisher_id IS NOT NULL AND OLD.article_published_at IS NOT NULL
    AND user_id = OLD.user_id AND publisher_id = OLD.article_publisher_id
    AND day = substr(OLD.article_published_at, 1, 10);
  INSERT INTO sync_readday (user_id, publisher_id, day, reads)
  SELECT NEW.user_id, NEW.article_publisher_id, substr(NEW.article_published_at, 1, 10), 1
  WHERE NEW.article_publisher_id IS NOT NULL AND NEW.article_published_at IS NOT NULL
  ON CONFLICT (user_id, publisher_id, day) DO UPDATE SET reads = reads + 1;
END;
INSERT INTO sync_publisherday (publisher_id, day, articles)
SELECT publisher_id, substr(published_at, 1, 10), COUNT(*) FROM articles_article
WHERE published_at IS NOT NULL GROUP BY 1, 2;
INSERT INTO sync_readday (user_id, publisher_id, day, reads)
SELECT user_id, article_publisher_id, substr(article_published_at, 1, 10), COUNT(*)
FROM personal_readinghistory
WHERE article_publisher_id IS NOT NULL AND article_published_at IS NOT NULL GROUP BY 1, 2, 3;
"""

SQLITE_UNDO = """
DROP TRIGGER IF EXISTS sync_publisherday_insert;
DROP TRIGGER IF EXISTS sync_publisherday_delete;
DROP TRIGGER IF EXISTS sync_publisherday_update;
DROP TRIGGER IF EXISTS sync_readday_insert;
DROP TRIGGER IF EXISTS sync_readday_delete;
DROP TRIGGER IF EXISTS sync_readday_update;
"""

# One function per table; an UPDATE that moves nothing (Django's save writes every column)
# returns at once. Upserts, so that two transactions storing a publisher's first article of a
# day both count.
POSTGRESQL = """
CREATE FUNCTION sync_publisherday_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.publisher_id = NEW.publisher_id
     AND (OLD.published_at AT TIME ZONE 'UTC')::date
         IS NOT DISTINCT FROM (NEW.published_at AT TIME ZONE 'UTC')::date THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.published_at IS NOT NULL THEN
    UPDATE sync_publisherday SET articles = articles - 1
    WHERE publisher_id = OLD.publisher_id
      AND day = (OLD.published_at AT TIME ZONE 'UTC')::date;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.published_at IS NOT NULL THEN
    INSERT INTO sync_publisherday (publisher_id, day, articles)
    VALUES (NEW.publisher_id, (NEW.published_at AT TIME ZONE 'UTC')::date, 1)
    ON CONFLICT (publisher_id, day)
    DO UPDATE SET articles = sync_publisherday.articles + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sync_publisherday_keep
AFTER INSERT OR DELETE OR UPDATE OF publisher_id, published_at ON articles_article
FOR EACH ROW EXECUTE FUNCTION sync_publisherday_keep();

CREATE FUNCTION sync_readday_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id
     AND OLD.article_publisher_id IS NOT DISTINCT FROM NEW.article_publisher_id
     AND (OLD.article_published_at AT TIME ZONE 'UTC')::date
         IS NOT DISTINCT FROM (NEW.article_published_at AT TIME ZONE 'UTC')::date THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.article_publisher_id IS NOT NULL
     AND OLD.article_published_at IS NOT NULL THEN
    UPDATE sync_readday SET reads = reads - 1
    WHERE user_id = OLD.user_id AND publisher_id = OLD.article_publisher_id
      AND day = (OLD.article_published_at AT TIME ZONE 'UTC')::date;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.article_publisher_id IS NOT NULL
     AND NEW.article_published_at IS NOT NULL THEN
    INSERT INTO sync_readday (user_id, publisher_id, day, reads)
    VALUES (NEW.user_id, NEW.article_publisher_id,
            (NEW.article_published_at AT TIME ZONE 'UTC')::date, 1)
    ON CONFLICT (user_id, publisher_id, day) DO UPDATE SET reads = sync_readday.reads + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sync_readday_keep
AFTER INSERT OR DELETE OR UPDATE OF user_id, article_publisher_id, article_published_at
ON personal_readinghistory
FOR EACH ROW EXECUTE FUNCTION sync_readday_keep();

INSERT INTO sync_publisherday (publisher_id, day, articles)
SELECT publisher_id, (published_at AT TIME ZONE 'UTC')::date, COUNT(*) FROM articles_article
WHERE published_at IS NOT NULL GROUP BY 1, 2;
INSERT INTO sync_readday (user_id, publisher_id, day, reads)
SELECT user_id, article_publisher_id, (article_published_at AT TIME ZONE 'UTC')::date, COUNT(*)
FROM personal_readinghistory
WHERE article_publisher_id IS NOT NULL AND article_published_at IS NOT NULL GROUP BY 1, 2, 3;
"""

POSTGRESQL_UNDO = """
DROP TRIGGER IF EXISTS sync_publisherday_keep ON articles_article;
DROP TRIGGER IF EXISTS sync_readday_keep ON personal_readinghistory;
DROP FUNCTION IF EXISTS sync_publisherday_keep();
DROP FUNCTION IF EXISTS sync_readday_keep();
"""


def _run(apps, schema_editor, *, undo=False):
    if undo:
        run_script(schema_editor, {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO})
    else:
        run_script(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def keep_counts(apps, schema_editor):
    _run(apps, schema_editor)


def drop_triggers(apps, schema_editor):
    _run(apps, schema_editor, undo=True)


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0001_initial'),
        ('articles', '0009_section_published_index'),
        ('personal', '0003_history_article_copies'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublisherDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('publisher_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('articles', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('publisher_id', 'day'), name='publisherday_unique')],
                'indexes': [models.Index(fields=['publisher_id', 'day', 'articles'], name='publisherday_sum')],
            },
        ),
        migrations.CreateModel(
            name='ReadDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('user_id', models.BigIntegerField()),
                ('publisher_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('reads', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user_id', 'publisher_id', 'day'), name='readday_unique')],
                'indexes': [models.Index(fields=['user_id', 'publisher_id', 'day', 'reads'], name='readday_sum')],
            },
        ),
        migrations.RunPython(keep_counts, drop_triggers),
    ]
