"""The home page's front, decided purely: which story leads, with its picture.

Nothing here queries; the view hands over Top stories (with their representative articles) and
the first page of Latest, and gets back the lead and what is left for the Top stories block;
then what the front shows, which a signed-in reader's For You block leaves out (`on_front`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.text import Truncator

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories.picks import PickItem
from newsstand.stories.top import TopStory, home_lead
from newsstand.web.presentation import ArticleCard, image_src

# The lead's text under its headline, in characters (the block's own leads say more).
LEAD_TEXT_CHARS = 220


@dataclass(frozen=True)
class Lead:
    """The story at the top of the home page: a headline with a picture."""

    title: str
    url: str
    image_url: str
    publisher: Publisher | None
    section: str
    text: str
    others: int  # other publishers covering the same story
    story_id: int | None = None  # the story it leads with, or the article's own story
    article_id: int | None = None  # the article it leads with, when it is one


@dataclass(frozen=True)
class Pitch:
    """What the home page offers a visitor who is not signed in."""

    publishers: int  # active publishers: "N trusted sources"
    trial_days: int  # NEWSSTAND_TRIAL_DAYS; 0 offers a plain sign-up


def choose_lead(
    top: Sequence[TopStory], cards: Sequence[ArticleCard], *, limit: int
) -> tuple[Lead | None, list[TopStory]]:
    """The lead and at most `limit` Top stories to list under it.

    The best-ranked Top story that has a picture leads (`stories.top.home_lead`, which the staff
    ranking marks too) and leaves the list, so no headline shows twice. Without one, the newest
    article with a picture leads and the list stays whole. No picture anywhere: no lead, the
    page opens on Top stories as before.
    """
    index = home_lead(top)
    if index is not None:
        item, story = top[index], top[index].story
        rest = [*top[:index], *top[index + 1 :]]
        lead = Lead(
            title=story.headline,
            url=item.url,
            image_url=item.image_url,
            publisher=item.publisher,
            section=item.representative.section if item.representative else "",
            text=_clip(story.lead),
            others=item.others,
            story_id=story.pk,
        )
        return lead, rest[:limit]
    for card in cards:
        article = card.article
        if image_src(article.lead_image_url):
            lead = Lead(
                title=article.title,
                url=article.get_absolute_url(),
                image_url=image_src(article.lead_image_url),
                publisher=article.publisher,
                section=article.section,
                text=_clip(card.teaser),
                others=0,
                story_id=article.story_id,
                article_id=article.pk,
            )
            return lead, list(top[:limit])
    return None, list(top[:limit])


def _clip(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(LEAD_TEXT_CHARS)


@dataclass(frozen=True)
class OnFront:
    """The stories and articles the front shows: the lead, Top stories and Our Picks."""

    story_ids: frozenset[int]
    article_ids: frozenset[int]

    def __len__(self) -> int:
        return len(self.story_ids) + len(self.article_ids)

    def shows(self, article: Article) -> bool:
        """Whether the front already shows this article, or its story."""
        return article.pk in self.article_ids or article.story_id in self.story_ids


def on_front(lead: Lead | None, top: Sequence[TopStory], picks: Sequence[PickItem]) -> OnFront:
    stories = {t.story.pk for t in top}
    articles: set[int] = set()
    if lead is not None:
        stories.add(lead.story_id or 0)
        articles.add(lead.article_id or 0)
    for item in picks:
        pick = item.pick
        stories.add(pick.story_id or (pick.article.story_id if pick.article else None) or 0)
        articles.add(pick.article_id or 0)
    return OnFront(frozenset(stories - {0}), frozenset(articles - {0}))
