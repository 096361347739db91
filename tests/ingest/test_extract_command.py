"""`newsstand extract`: one JSON line per input, in order, errors reported inline."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

GOLDEN = Path(__file__).parent / "golden" / "extract"


def run(*args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    call_command("extract", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().split("\n") if line.strip()]


@pytest.fixture()
def inputs(tmp_path: Path) -> list[str]:
    plain = GOLDEN / "news_article_jsonld.html"
    zipped = tmp_path / "blog.html.gz"
    zipped.write_bytes(gzip.compress((GOLDEN / "blog_meta_only.html").read_bytes()))
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"not gzip at all")
    return [str(plain), str(tmp_path / "missing.html"), str(zipped), str(broken)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_order_and_errors(inputs: list[str], jobs: str) -> None:
    records = run(*inputs, "--jobs", jobs)
    assert [r["input"] for r in records] == inputs
    assert records[0]["title"] == "Blinken holds talks in Astana"
    assert records[0]["published"] == "2023-02-27T22:30:00-05:00"
    assert records[0]["lead_image"]["credit"] == "Olivier Douliery/Pool"  # type: ignore[index]
    assert set(records[0]) >= {"input", "url", "title", "authors", "published", "section",
                               "language", "lead_image", "text", "html"}  # fmt: skip
    assert "error" in records[1] and "error" in records[3]
    assert records[2]["authors"] == ["Anna Müller", "Jo Bloggs"]


def test_url_option_sets_page_url() -> None:
    (record,) = run(str(GOLDEN / "blog_meta_only.html"), "--url", "https://blog.example/p/1")
    assert record["url"] == "https://blog.example/p/1"


def test_url_option_needs_single_input() -> None:
    with pytest.raises(CommandError):
        run("a.html", "b.html", "--url", "https://x.example/")


def test_urls_from_maps_inputs_to_page_urls(tmp_path: Path) -> None:
    page = str(GOLDEN / "blog_meta_only.html")
    mapping = tmp_path / "urls.json"
    mapping.write_text(json.dumps({page: "https://blog.example/2024/05/06/p"}))
    plain = str(GOLDEN / "news_article_jsonld.html")
    first, second = run(page, plain, "--urls-from", str(mapping))
    assert first["url"] == "https://blog.example/2024/05/06/p"
    assert second["url"] != "https://blog.example/2024/05/06/p"


@pytest.mark.parametrize("content", ["not json", '["a list"]', '{"a.html": 3}'])
def test_urls_from_rejects_bad_files(tmp_path: Path, content: str) -> None:
    mapping = tmp_path / "urls.json"
    mapping.write_text(content)
    with pytest.raises(CommandError, match="urls-from"):
        run("a.html", "--urls-from", str(mapping))


def test_jobs_do_not_fork_a_threaded_process(inputs: list[str]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        records = run(*inputs, "--jobs", "2")
    assert [r["input"] for r in records] == inputs
