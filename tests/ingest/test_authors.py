"""Byline rules: the writer, not the outlet credited beside them."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsstand.ingest.authors import normalize_authors
from newsstand.ingest.extractor import extract_article
from newsstand.ingest.metadata import read_metadata


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        (
            "Javier Espinoza and Patricia Nilsson, Financial Times",
            ["Javier Espinoza", "Patricia Nilsson"],
        ),
        ("Najib Jobain, Associated Press and Samy Magdy", ["Najib Jobain", "Samy Magdy"]),
        ("Terry Pluto, cleveland.com", ["Terry Pluto"]),
        ("Jonathan Wasserman | Bleacher Report", ["Jonathan Wasserman"]),
        # An outlet credited alone is the author a reader is told of.
        ("The Associated Press", ["The Associated Press"]),
        ("Reuters", ["Reuters"]),
        # A surname is not an outlet.
        ("Jane Post and John Daily", ["Jane Post", "John Daily"]),
    ],
)
def test_outlet_beside_a_writer_is_dropped(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


def _page(author: object) -> lxml.html.HtmlElement:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "H",
          "author": author}  # fmt: skip
    return lxml.html.fromstring(
        '<html><head><script type="application/ld+json">'
        + json.dumps(ld)
        + "</script></head><body><h1>H</h1></body></html>"
    )


def test_json_ld_organisation_beside_a_person_is_not_an_author() -> None:
    tree = _page(
        [
            {"@type": "Person", "name": "Jane Roe"},
            {"@type": "NewsMediaOrganization", "name": "Global Wire Service"},
        ]
    )
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Jane Roe"]


def test_json_ld_organisation_alone_stays_the_author() -> None:
    tree = _page({"@type": "Organization", "name": "Global Wire Service"})
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Global Wire Service"]


def test_a_person_credited_on_a_site_named_after_them_is_the_author() -> None:
    # A personal blog or newsletter: og:site_name is the writer's own name.
    tree = _page({"@type": "Person", "name": "Sam Bossley"})
    head = tree.find("head")
    head.append(lxml.html.fromstring('<meta property="og:site_name" content="Sam Bossley">'))
    assert read_metadata(tree, "https://sam.example.com/thoughts").authors == ["Sam Bossley"]


def test_an_organisation_credited_on_its_own_site_is_not_a_byline() -> None:
    tree = _page({"@type": "Organization", "name": "Example Guides"})
    head = tree.find("head")
    head.append(lxml.html.fromstring('<meta property="og:site_name" content="Example Guides">'))
    assert read_metadata(tree, "https://guides.example.com/a").authors == []


def test_a_person_given_by_reference_on_a_site_named_after_them_is_the_author() -> None:
    # Yoast's graph: the article's author is {"@id", "name"}, the Person object is elsewhere.
    person_id = "https://expert.example.com/#/schema/person/494d9c"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "headline": "H",
                "author": {"@id": person_id, "name": "Travel Expert"},
            },
            {"@type": "Person", "@id": person_id, "name": "Travel Expert"},
        ],
    }
    tree = lxml.html.fromstring(
        '<html><head><meta property="og:site_name" content="Travel Expert">'
        f'<script type="application/ld+json">{json.dumps(graph)}</script></head>'
        "<body><h1>H</h1></body></html>"
    )
    assert read_metadata(tree, "https://expert.example.com/a").authors == ["Travel Expert"]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("View all posts by Ray Ansari", ["Ray Ansari"]),
        ("See all of Joanna Nelius's reviews", ["Joanna Nelius"]),
        ("Read More from Celeste Longacre", ["Celeste Longacre"]),
        ("Author: Ashley Biancuzzo", ["Ashley Biancuzzo"]),
        ("Keith Barry Senior Autos Reporter", ["Keith Barry"]),
        ("David Jackson - FullStack Editorial Team", ["David Jackson"]),
        ("More By This Contributor", []),
        ("Bluesky", []),
        ("The Author", []),
    ],
)
def test_template_words_around_a_name_are_not_part_of_it(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


def _plain_page(body: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        "<html><head><title>How to start a garden</title></head><body>"
        f"<nav><p>By state</p></nav><h1>How to start a garden</h1>{body}"
        "<footer><p>By signing up, you agree to our terms.</p></footer></body></html>"
    )


@pytest.mark.parametrize(
    "byline",
    [
        "<p>By Amy Wilhelm</p>",
        "<p>Written by <a href='/me'>Amy Wilhelm</a></p>",
        "<div><h3>Written by</h3><p>Amy Wilhelm</p></div>",
    ],
)
def test_the_by_line_under_the_headline_names_the_author(byline: str) -> None:
    tree = _plain_page(byline + "<p>Start small, with a few beds near the kitchen door.</p>")
    assert read_metadata(tree, "https://garden.example.com/start").authors == ["Amy Wilhelm"]


def test_by_phrases_elsewhere_are_not_bylines() -> None:
    tree = _plain_page("<p>Start small, with a few beds near the kitchen door.</p>")
    assert read_metadata(tree, "https://garden.example.com/start").authors == []


def _company_page(byline: str, head: str = "") -> str:
    return (
        '<html><head><meta property="og:site_name" content="Example Guides">'
        f"{head}<title>How to start a garden</title></head><body><article>"
        f"<h1>How to start a garden</h1>{byline}"
        "<p>Start small, with a few beds near the kitchen door, and grow what you eat.</p>"
        "<p>Water in the morning, mulch in the summer, and keep notes for next year.</p>"
        "</article></body></html>"
    )


def test_a_byline_printing_only_the_publisher_credits_it() -> None:
    # A company blog's "By Example Guides": the page's own credit, the byline readers see.
    page = _company_page("<p>By Example Guides</p>")
    meta = read_metadata(lxml.html.fromstring(page), "https://guides.example.com/a")
    assert meta.authors == []
    assert meta.publisher_byline == ["Example Guides"]
    assert extract_article(page, "https://guides.example.com/a").authors == ["Example Guides"]


def test_a_writer_beside_the_publisher_byline_is_the_author() -> None:
    page = _company_page('<p>By <a rel="author" href="/a/amy">Amy Wilhelm</a></p>')
    assert extract_article(page, "https://guides.example.com/a").authors == ["Amy Wilhelm"]


def test_the_publisher_declared_only_in_metadata_is_still_no_byline() -> None:
    # CMSs fill JSON-LD and meta authors with the organisation by default; no printed byline.
    ld = json.dumps(
        {"@type": "Article", "author": {"@type": "Organization", "name": "Example Guides"}}
    )
    page = _company_page(
        "",
        f'<script type="application/ld+json">{ld}</script>'
        '<meta name="author" content="Example Guides">',
    )
    assert extract_article(page, "https://guides.example.com/a").authors == []


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Andrew Gerrand 4 August 2010", ["Andrew Gerrand"]),
        ("Dec 17, 2025 Julian K. Arni", ["Julian K. Arni"]),
        ("Dec. 19, 2025 · Niko Matsakis on behalf of the Vision Doc group", ["Niko Matsakis"]),
        ("Text by Hunter Dukes", ["Hunter Dukes"]),
        # A credential with a footnote mark.
        ("Angela Holliday-Bell, MD*", ["Angela Holliday-Bell"]),
    ],
)
def test_dates_labels_and_credentials_around_a_name_are_not_part_of_it(
    byline: str, expected: list[str]
) -> None:
    assert normalize_authors([byline]) == expected


def test_the_author_meta_tag_picks_the_writer_out_of_a_json_ld_list() -> None:
    # JSON-LD credits the writer and, beside them, the editor; the meta tag names the writer.
    tree = _page(
        [{"@type": "Person", "name": "Grace Dean"}, {"@type": "Person", "name": "Leon Hurley"}]
    )
    head = tree.find("head")
    head.append(lxml.html.fromstring('<meta name="author" content="Grace Dean">'))
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Grace Dean"]
    # A tag naming someone else, or no tag, leaves the JSON-LD list as it is.
    tree = _page(
        [{"@type": "Person", "name": "Grace Dean"}, {"@type": "Person", "name": "Leon Hurley"}]
    )
    assert read_metadata(tree, "https://news.example.com/a").authors == [
        "Grace Dean",
        "Leon Hurley",
    ]


def test_an_author_tag_naming_the_site_credits_it_when_no_json_ld_does() -> None:
    # A one-person or small site signing its page in the author meta tag.
    page = _company_page("", '<meta name="author" content="Example Guides">')
    assert extract_article(page, "https://guides.example.com/a").authors == ["Example Guides"]


def _labelled(body: str) -> list[str]:
    tree = lxml.html.fromstring(
        "<html><head><title>How to prune roses</title></head><body><article>"
        f"<h1>How to prune roses</h1><p>{'Cut above an outward-facing bud. ' * 20}</p>{body}"
        "</article></body></html>"
    )
    return read_metadata(tree, "https://garden.example.com/roses").authors


@pytest.mark.parametrize(
    "box",
    [
        '<div class="box"><span>Written by</span> <b>Jane Doe</b></div>',
        '<div class="box"><h3>Written by Jane Doe</h3><p>Jane Doe grows roses.</p></div>',
        "<aside><p>Author</p><p>Jane Doe</p></aside>",
        "<div><strong>Contributors:</strong> <span>Jane Doe</span></div>",
        "<div>Article by<div>Jane Doe</div></div>",
    ],
)
def test_a_name_labelled_as_the_writers_anywhere_is_the_author(box: str) -> None:
    assert _labelled(box) == ["Jane Doe"]


@pytest.mark.parametrize(
    "box",
    [
        # A menu item, a comment's "Author" badge, a sentence.
        '<nav><ul><li><a href="/c">Contributors</a></li><li><a href="/s">Online Services</a>'
        "</li></ul></nav>",
        '<div class="comment-body"><b>Heather</b> <span>Author</span> <a>Reply to</a></div>',
        "<p>Written by hand, the notes were lost.</p>",
    ],
)
def test_labels_that_name_no_writer_are_not_bylines(box: str) -> None:
    assert _labelled(box) == []


def _declared_and_printed(byline: str, *declared: str) -> list[str]:
    people = [{"@type": "Person", "name": name} for name in declared or ("Christy Choi",)]
    ld = {"@type": "NewsArticle", "headline": "H", "author": people}
    tree = lxml.html.fromstring(
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><article><h1>H</h1>{byline}<p>{'The story. ' * 30}</p></article></body></html>"
    )
    return read_metadata(tree, "https://news.example.com/a").authors


@pytest.mark.parametrize(
    "byline",
    [
        '<div class="names"><span>By</span> <a href="/p/cc">Christy Choi</a> and Oscar Holland,'
        " CNN</div>",
        '<p>By <a href="/p/cc">Christy Choi</a> <span>and</span> <a href="/p/oh">Oscar Holland'
        "</a> <span>on</span> December 21, 2023</p>",
    ],
)
def test_the_printed_byline_names_the_co_authors_structured_data_left_out(byline: str) -> None:
    assert _declared_and_printed(byline) == ["Christy Choi", "Oscar Holland"]


@pytest.mark.parametrize(
    "byline",
    [
        # The writer's job and employer after a comma are not co-authors.
        "<p>By <a>Christy Choi</a>, Co-Founder &amp; COO, Acme Robotics</p>",
        "<p>By <a>Christy Choi</a>, Deputy CTO, Thales Trusted Cyber Technologies</p>",
        # A printed byline that does not name the declared writer says nothing about them.
        "<p>By <a>Jane Roe</a> and <a>John Roe</a></p>",
    ],
)
def test_the_declared_writer_stays_alone(byline: str) -> None:
    assert _declared_and_printed(byline) == ["Christy Choi"]


def test_a_lone_by_reads_every_name_of_the_byline_up_to_what_is_not_one() -> None:
    tree = lxml.html.fromstring(
        "<html><body><article><h1>All Shrine Locations</h1><div>By <a>Miranda Sanchez</a>, "
        "<a>Laura May Randell</a>, <a>Brendan Graeber</a>, <a>+55 more</a> "
        "<span>updated</span> Sep 4, 2023</div><p>The guide.</p></article></body></html>"
    )
    assert read_metadata(tree, "https://games.example.com/guide").authors == [
        "Miranda Sanchez",
        "Laura May Randell",
        "Brendan Graeber",
    ]


def test_a_photographer_the_byline_credits_apart_is_not_an_author() -> None:
    byline = "<p>By <a>Nelson Chukwu</a></p><p>Photography by <a>Stephen Tayo</a></p>"
    assert _declared_and_printed(byline, "Nelson Chukwu", "Stephen Tayo") == ["Nelson Chukwu"]


def test_an_affiliation_with_an_empty_name_is_no_writer() -> None:
    # A template's "name, affiliation" with the name left empty; the byline prints the writer.
    tree = _page({"@type": "Person", "name": ", The Worcester Telegram & Gazette"})
    body = tree.find("body")
    body.append(
        lxml.html.fromstring('<p><a href="/staff/3512/sarah-barnacle/">Sarah Barnacle</a></p>')
    )
    assert read_metadata(tree, "https://eu.telegram.com/story/news/x").authors == ["Sarah Barnacle"]


def test_the_one_a_story_was_told_to_wrote_it() -> None:
    assert normalize_authors(["Amie Mock as told to Heather Eastman"]) == ["Heather Eastman"]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # The beat after a job title is not a second writer.
        ("Zackery Cuevas Writer, Hardware", ["Zackery Cuevas"]),
        ("Jane Doe, Staff Writer, Business", ["Jane Doe"]),
        ("Jane Doe, Senior Editor, John Roe", ["Jane Doe", "John Roe"]),
        # The weekday a dateline prints before its date.
        ("Sat, 20 Dec, 2025 - 06:36", []),
    ],
)
def test_what_a_byline_prints_around_its_names(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # A desk credited as the byline is the page's author; a bare job title is not a name.
        ("News Desk", ["News Desk"]),
        ("By News Staff", ["News Staff"]),
        ("Staff Writer", []),
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ],
)
def test_a_desk_is_a_byline_a_job_title_is_not(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


def test_the_bylines_of_teaser_cards_are_not_the_pages() -> None:
    card = (
        '<a class="card" href="/other"><article itemscope itemtype="https://schema.org/Article">'
        '<div itemprop="author" itemscope itemtype="https://schema.org/Person">By '
        '<span itemprop="name">Thai Vong</span></div></article></a>'
    )
    tree = lxml.html.fromstring(
        "<html><body><article><h1>Podcasts</h1>"
        '<div itemprop="author"><span itemprop="name">Linda Rosencrance</span></div>'
        f"<p>The story.</p></article><aside>{card}</aside></body></html>"
    )
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Linda Rosencrance"]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # A bio in the byline's element: its sentences are not writers, its first name alone
        # is the writer already named.
        (
            "Shannon Grilli, Shannon covers personal finance and more. Based in Chicago, "
            "she spends her spare time traveling",
            ["Shannon Grilli"],
        ),
        # Names as some sites print them, particles and desks included, stay names.
        ("kirstin boatto", ["kirstin boatto"]),
        ("Ana de la Cruz and the Lavazza Team", ["Ana de la Cruz", "the Lavazza Team"]),
        ("The Team, edited by Walter", ["The Team", "edited by Walter"]),
    ],
)
def test_a_bio_beside_the_byline_names_no_more_writers(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


def test_a_declared_login_gives_way_to_the_byline_the_page_prints() -> None:
    # JSON-LD names the CMS account that posted the page; readers know the writer by the name
    # under the headline.
    tree = _page({"@type": "Person", "name": "kffnirmitap"})
    tree.find("body").append(
        lxml.html.fromstring('<div class="byline">By <a rel="author">Nirmita Panchal</a></div>')
    )
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Nirmita Panchal"]
    # With no printed byline the login is all there is, and it is kept.
    tree = _page({"@type": "Person", "name": "srauturier"})
    assert read_metadata(tree, "https://news.example.com/a").authors == ["srauturier"]


def _linked(body: str) -> list[str]:
    tree = lxml.html.fromstring(
        "<html><head><title>How to prune roses</title></head><body>"
        f"<main><h1>How to prune roses</h1>{body}"
        f"<p>{'Cut above an outward-facing bud. ' * 20}</p></main>"
        "<aside><h3>More stories</h3>"
        '<div><a href="/garden/tulips">Tulips</a> <a href="/author/sam-roe">Sam Roe</a></div>'
        '<div><a href="/garden/figs">Figs</a> <a href="/author/kim-lee">Kim Lee</a></div>'
        "</aside></body></html>"
    )
    return read_metadata(tree, "https://garden.example.com/roses").authors


def test_a_writers_link_in_the_story_beats_the_sidebars_teasers() -> None:
    assert _linked('<div><a href="/author/jane-doe">Jane Doe</a></div>') == ["Jane Doe"]
    # With no writer linked in the story, the links beside it are all there is.
    assert _linked("") == ["Sam Roe", "Kim Lee"]


def test_links_to_the_people_a_story_is_about_are_not_bylines() -> None:
    # A celebrity site links each person named in the story to their tag page.
    assert _linked(
        '<p>Old rivals <a href="/people/larry-merchant">Larry Merchant</a> and '
        '<a href="/people/floyd-mayweather">Floyd Mayweather</a> met again.</p>'
        '<div><a href="/authors/jane-doe">Jane Doe</a></div>'
    ) == ["Jane Doe"]
