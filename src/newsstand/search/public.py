"""What search may match for a reader without full access: what the gate shows them, no more.

A phrase from deep in a gated body must not find its article for a non-member: a query is an
oracle, and enough of them confirm the text word by word. So readers without full access search
an index of their own (`PublicText`): the title, the byline, the summary as far as snippets
quote it, and the teaser the gate puts in front of the body (`gate.policy.article_teaser`).
Their snippets are cut from the same text, so what they find is what they are shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

from newsstand.articles.models import Article
from newsstand.gate.policy import article_teaser
from newsstand.gate.teaser import TEASER_MAX_WORDS
from newsstand.web.presentation import teaser_words

# What `public_text` reads from an article: load these for it (and only these need be loaded).
PUBLIC_FIELDS = (
    "id",
    "title",
    "authors",
    "summary",
    "content_html",
    "lead_image_url",
    "lead_image_caption",
    "lead_image_credit",
)
# A save that writes none of these leaves the public text as it was.
PUBLIC_INPUTS = frozenset(PUBLIC_FIELDS) - {"id"}


def summary_teaser(summary: str, body_words: int = 0) -> str:
    """The summary, capped at TEASER_MAX_WORDS words and, when a body of `body_words` words is
    kept, at TEASER_MAX_SHARE of them, as every teaser is: some feeds put a whole article in it.
    (0: no body kept; the summary is all there is, and public already.)"""
    limit = TEASER_MAX_WORDS
    if body_words > 0:
        limit = teaser_words(body_words, limit)
    return " ".join(summary.split(maxsplit=limit)[:limit]) if limit else ""


# A summary cut short ends on one of these (ingest.drafts cuts at a word and adds "…").
_CUT_MARKS = "…. \t"


def _comparable(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(_CUT_MARKS).casefold()


def public_text(article: Article) -> str:
    """The summary's teaser and the gate's teaser of the body, as one text. Feeds and pages often
    give the body's first paragraph as the summary: when one opens with the other, only the
    longer is kept, or snippets would quote the same sentences twice in a row."""
    gated = article_teaser(article)
    summary = summary_teaser(article.summary, gated.body_word_count)
    teaser = gated.text
    said, shown = _comparable(summary), _comparable(teaser)
    if said and shown.startswith(said):
        summary = ""
    elif shown and said.startswith(shown):
        teaser = ""  # the summary opens with all the teaser says, and more
    return "\n\n".join(part for part in (summary, teaser) if part.strip())


def public_row(article: Article) -> dict[str, Any]:
    """The PublicText fields of `article` (loaded with at least PUBLIC_FIELDS)."""
    return {
        "article_id": article.pk,
        "title": article.title,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "text": public_text(article),
    }
