"""Public texts of short articles computed again: the summary's share of them is now capped at
half the body's words, as every teaser is (search/public.py, issue #13), where it was capped at 60
words only, so a short article whose feed put all of it in the summary was matched whole.

The rows are dropped here (their index entries go with them, by trigger); search's post_migrate
repair, and the ten-minute task after it, compute the missing ones with today's rule.
"""

from django.db import migrations

# Bodies of at least 2 x 60 words (gate.teaser.TEASER_MAX_WORDS) were capped at 60 words before
# and after; twice that again covers the body counts the gate's own counting gives differently.
SHORT_WORDS = 240


def drop_short_public_texts(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    PublicText = apps.get_model("search", "PublicText")
    short = Article.objects.filter(word_count__lt=SHORT_WORDS).values("pk")
    PublicText.objects.filter(article_id__in=short).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0003_public_text")]

    operations = [migrations.RunPython(drop_short_public_texts, migrations.RunPython.noop)]
