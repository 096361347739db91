"""`newsstand extract`: one JSON line per input, in order, errors reported inline."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

GOLDEN = Path(__file__).parent / "golden" / "extract"


def run(*args: str, failing: bool = False) -> list[dict[str, object]]:
    """The JSON records printed; with `failing`, the command must also end in an error."""
    out = io.StringIO()
    if failing:
        with pytest.raises(CommandError, match=r"could not be extracted"):
            call_command("extract", *args, stdout=out)
    else:
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
    records = run(*inputs, "--jobs", jobs, failing=True)
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
        records = run(*inputs, "--jobs", "2", failing=True)
    assert [r["input"] for r in records] == inputs


@pytest.fixture()
def unreadable(tmp_path: Path) -> dict[str, str]:
    """Inputs that are not pages, each with the words its error must contain."""
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "binary.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "a-directory").mkdir()
    return {
        str(tmp_path / "missing.html"): "No such file",
        str(tmp_path / "empty.html"): "empty document",
        str(tmp_path / "binary.html"): "binary data",
        str(tmp_path / "a-directory"): "Is a directory",
        "http://[::1": "is not valid",
    }


def test_every_unreadable_input_gives_an_error_line_and_the_run_fails(
    unreadable: dict[str, str],
) -> None:
    for source, words in unreadable.items():
        (record,) = run(source, failing=True)
        assert record["input"] == source
        assert words in str(record["error"]), record
    good = str(GOLDEN / "blog_meta_only.html")
    assert "error" not in run(good)[0]  # a readable page alone still succeeds
    zipped = Path(next(iter(unreadable))).with_name("zipped.html")  # gzip'd, but not named .gz
    zipped.write_bytes(gzip.compress(Path(good).read_bytes(), mtime=0))
    assert run(str(zipped))[0]["title"] == "Café notes from Zürich"


def test_as_a_process_unreadable_inputs_exit_non_zero_without_a_traceback(
    unreadable: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSSTAND_")}
    env["NEWSSTAND_DATA_DIR"] = str(tmp_path)
    good = str(GOLDEN / "blog_meta_only.html")
    done = subprocess.run(
        [sys.executable, "-m", "newsstand", "extract", good, *unreadable],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["input"] for r in records] == [good, *unreadable]
    assert "error" not in records[0] and all("error" in r for r in records[1:])
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"CommandError: {len(unreadable)} of {len(unreadable) + 1} inputs could not be extracted"
    ]


def test_the_console_command_extracts_files_without_setting_django_up(tmp_path: Path) -> None:
    # Start-up is most of a short run's time: setting Django up imports the whole site.
    good = str(GOLDEN / "blog_meta_only.html")
    code = (
        "import sys\n"
        "from newsstand.cli import main\n"
        "try:\n"
        f"    main(['extract', {good!r}])\n"
        "except SystemExit as exit:\n"
        "    print('status', exit.code, 'django', 'django' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSSTAND_", "DJANGO_"))}
    env["NEWSSTAND_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.stderr.strip().splitlines()[-1] == "status 0 django False", done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["title"] == "Café notes from Zürich"
