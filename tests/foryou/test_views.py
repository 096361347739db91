"""/for-you/ and the home page's For You block, through the test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from newsstand.articles.models import Article
from newsstand.foryou import live
from newsstand.personal import actions
from newsstand.personal.models import Follow
from newsstand.personal.targets import resolve_target
from tests.foryou.conftest import TOP_STORY_PAIRS, News
from tests.personal.conftest import make_user

pytestmark = pytest.mark.django_db

FOR_YOU = reverse("foryou:feed")
HOME = reverse("reader:home")
HX = {"HTTP_HX_REQUEST": "true"}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def _signed_in(client: Client):
    user = make_user()
    client.force_login(user)
    return user


def test_signed_out_readers_are_sent_to_sign_in(client: Client):
    response = client.get(FOR_YOU)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={FOR_YOU}"


def test_the_page_explains_each_card(
    apart_news: News, client: Client, django_assert_max_num_queries
):
    user = _signed_in(client)
    a, b = apart_news.pairs[3]
    actions.note_article_opened(user, a)
    client.get(FOR_YOU)  # the process's corpus is built on first use
    with django_assert_max_num_queries(10):
        response = client.get(FOR_YOU)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="page-title">For You</h1>' in html
    assert escape(b.title) in html
    # Each card's controls sit in one "•••" menu, named for what it answers.
    menu = '<span class="visually-hidden">Why am I seeing this?</span></summary>'
    assert html.count(menu) == len(_titles(html))
    why = html[html.index(b.get_absolute_url()) :]
    reasons = why[why.index("why__reasons") : why.index("</ul>")]
    assert "Because you read \u201c" in reasons
    # One-tap mutes through the Follow/Mute endpoint, plain forms with CSRF.
    form = why[why.index('<form class="follow-control why__mute"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("personal:follow")}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="key" value="{b.publisher_id}"' in form
    assert f"Not interested: mute {b.publisher.name}" in form
    assert 'href="/for-you/" aria-current="page">For You</a>' in html


def test_mute_this_story_on_cards_with_a_story(storied_news: News, client: Client):
    _signed_in(client)
    html = client.get(FOR_YOU).content.decode()
    assert "Mute this story" in html
    assert 'name="kind" value="story"' in html


def test_not_interested_mutes_the_publisher_without_javascript(apart_news: News, client: Client):
    user = _signed_in(client)
    a, b = apart_news.pairs[3]
    actions.note_article_opened(user, a)
    assert escape(b.title) in client.get(FOR_YOU).content.decode()
    response = client.post(
        reverse("personal:follow"),
        {"kind": "publisher", "key": str(b.publisher_id), "action": "mute", "next": FOR_YOU},
    )
    assert response.status_code == 303
    assert response["Location"] == FOR_YOU
    assert Follow.objects.get(user=user, kind="publisher").muted
    html = client.get(FOR_YOU).content.decode()
    assert escape(b.title) not in html
    assert f">{b.publisher.name}</a>" not in html


def test_not_interested_with_htmx_swaps_in_the_unmute_control(news: News, client: Client):
    _signed_in(client)
    publisher = news.publishers[2]
    response = client.post(
        reverse("personal:follow"),
        {"kind": "publisher", "key": str(publisher.pk), "action": "mute", "next": FOR_YOU},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="unmute"' in html
    assert "<html" not in html


def test_older_appends_the_next_page_with_htmx(news: News, client: Client):
    user = _signed_in(client)
    # Following every publisher makes every article a candidate: 12 x 3 a publisher = 36.
    for publisher in news.publishers:
        actions.follow(user, resolve_target("publisher", str(publisher.pk)))
    first = client.get(FOR_YOU).content.decode()
    assert len(_titles(first)) == 30
    assert 'hx-get="?page=2"' in first
    more = client.get(FOR_YOU + "?page=2", **HX)
    html = more.content.decode()
    assert "<html" not in html
    assert 'data-appended="new"' in html
    second = _titles(html)
    assert second
    assert not set(second) & set(_titles(first))
    assert "Why am I seeing this?" in html
    # Without JavaScript the same link is a whole page; past the end, the last page.
    assert client.get(FOR_YOU + "?page=99").status_code == 200
    assert _titles(client.get(FOR_YOU + "?page=99").content.decode()) == second


def test_empty_state_when_there_is_no_news(db, client: Client):
    _signed_in(client)
    html = client.get(FOR_YOU).content.decode()
    assert "Nothing here yet" in html
    assert reverse("foryou:start") in html


# --- the home block --------------------------------------------------------------------------


def test_home_shows_a_for_you_block_when_signed_in(
    apart_news: News, client: Client, django_assert_max_num_queries
):
    user = _signed_in(client)
    a, b = apart_news.pairs[4]
    actions.note_article_opened(user, a)
    muted = apart_news.publishers[7]
    actions.mute(user, resolve_target("publisher", str(muted.pk)))
    client.get(HOME)  # the corpus is built on first use
    with django_assert_max_num_queries(10):
        response = client.get(HOME)
    html = response.content.decode()
    block = html[html.index('<section class="foryou-block"') :]
    block = block[: block.index("</section>")]
    items = re.findall(r'<h3 class="foryou-block__title"><a href="([^"]+)">', block)
    assert 1 <= len(items) <= 6
    assert b.get_absolute_url() in items
    assert escape(f"Because you read \u201c{a.title}\u201d") in block
    assert f'href="{FOR_YOU}">More for you →</a>' in block
    # The muted publisher is out of the block and of Latest, as before (the strip keeps it).
    assert (
        f'href="{reverse("reader:publisher", args=[muted.slug])}">{muted.name}</a></p>' not in html
    )
    entries = live.page_for(user, limit=6)
    assert items == [e.article.get_absolute_url() for e in entries]


def _block_articles(html: str, news: News) -> list[Any]:
    block = html[html.index('<section class="foryou-block"') :]
    block = block[: block.index("</section>")]
    urls = re.findall(r'<h3 class="foryou-block__title"><a href="([^"]+)">', block)
    by_url = {a.get_absolute_url(): a for a in news.articles}
    return [by_url[url] for url in urls]


def test_the_home_block_leaves_the_fronts_stories_to_the_front(
    storied_news: News, client: Client
) -> None:
    """Each story once on the screen: For You boosts Top stories, so it once repeated the lead
    and Top stories just under it and a reader met the same headline two or three times."""
    user = _signed_in(client)
    # A followed publisher with a Top story (pair 0's first article) and four other articles.
    for publisher in (storied_news.publishers[0], storied_news.publishers[5]):
        actions.follow(user, resolve_target("publisher", str(publisher.pk)))
    top = [a for a, _ in storied_news.pairs[:TOP_STORY_PAIRS]]
    Article.objects.filter(pk=top[1].pk).update(lead_image_url="https://img.example/lead.jpg")
    client.get(HOME)  # the corpus is built on first use
    html = client.get(HOME).content.decode()
    shown = _block_articles(html, storied_news)
    assert len(shown) == 6, "the block still fills its places, with the next of the reader's"
    assert not {a.story_id for a in shown} & {a.story_id for a in top}
    # The front keeps every Top story: the lead, then the others in the list.
    lead = html[html.index('class="lead-story"') :]
    assert escape(top[1].title) in lead[: lead.index("</article>")]
    front = html[html.index('id="top-stories-title"') :]
    assert all(escape(a.title) in front[: front.index("</section>")] for a in (top[0], top[2]))


def test_a_reader_with_nothing_beyond_the_front_is_asked_to_follow(
    storied_news: News, client: Client
) -> None:
    """A new reader's For You is the Top stories: rather than repeat them, the block invites."""
    _signed_in(client)
    client.get(HOME)
    html = client.get(HOME).content.decode()
    assert _block_articles(html, storied_news) == []
    block = html[html.index('<section class="foryou-block"') :]
    assert f'<a href="{reverse("foryou:start")}">Pick topics' in block[: block.index("</section>")]


def test_anonymous_home_has_no_for_you_block(storied_news: News, client: Client):
    html = client.get(HOME).content.decode()
    assert "foryou-block" not in html
    assert "More for you" not in html
    assert ">For You</a>" not in html


def test_later_home_pages_have_no_block(news: News, client: Client):
    _signed_in(client)
    assert "foryou-block" not in client.get(HOME + "?page=2").content.decode()
    assert "foryou-block" not in client.get(HOME + "?page=2", **HX).content.decode()
