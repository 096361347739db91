"""deploy/: the compose file is valid Compose, and every Newsstand command the Dockerfile, the
compose file and the systemd units run is one the tests run too, with arguments it accepts.

No Docker here: the compose file is checked against the Compose specification's JSON schema
(vendored by check-jsonschema, so no network), and commands against the commands' own parsers.
"""

from __future__ import annotations

import json
import re
import shlex
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from django.core.management import get_commands, load_command_class
from ruamel.yaml import YAML

from tests.server.test_multinode import EXERCISED_COMMANDS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
NGINX = DEPLOY / "nginx" / "newsstand.conf"
# Run by tests elsewhere (tests/sources/test_command.py); not a long-running role.
ALSO_TESTED = {("sources", "load-default")}


def _compose() -> dict[str, object]:
    with COMPOSE.open() as fh:
        return dict(YAML(typ="safe").load(fh))


def _compose_schema() -> dict[str, object]:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return dict(json.loads(vendor.joinpath("compose-spec.json").read_text(encoding="utf-8")))


def _dockerfile_json(instruction: str) -> list[str]:
    match = re.search(rf"^{instruction}\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.MULTILINE)
    assert match, f"no {instruction} [...] in the Dockerfile"
    return list(json.loads(match.group(1)))


def _commands() -> dict[str, list[str]]:
    """Every newsstand command line deploy/ runs: where -> argv after `newsstand`."""
    found: dict[str, list[str]] = {}
    assert _dockerfile_json("ENTRYPOINT") == ["newsstand"]
    found["Dockerfile CMD"] = _dockerfile_json("CMD")
    for name, service in dict(_compose()["services"]).items():  # type: ignore[call-overload]
        if service.get("image") == "newsstand:latest" and "command" in service:
            found[f"compose {name}"] = list(service["command"])
    for unit in UNITS:
        exec_start = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE)
        assert exec_start, unit
        argv = shlex.split(exec_start.group(1))
        assert argv[0].endswith("/newsstand"), unit
        found[unit.name] = argv[1:]
    return found


def test_compose_file_follows_the_compose_specification() -> None:
    jsonschema.validate(_compose(), _compose_schema())


def test_the_schema_catches_a_broken_compose_file() -> None:
    broken = _compose()
    broken["services"]["worker"]["comand"] = ["worker"]  # type: ignore[index]  # a typo
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _compose_schema())


def test_compose_runs_postgres_redis_two_web_nodes_two_workers_and_a_proxy() -> None:
    services = dict(_compose()["services"])  # type: ignore[call-overload]
    assert {"postgres", "redis", "web-1", "web-2", "worker", "proxy"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2
    env = services["web-1"]["environment"]
    assert env["NEWSSTAND_DATABASE_URL"].startswith("postgres://")
    assert env["NEWSSTAND_TASK_QUEUE_URL"].startswith("redis://")
    assert env["NEWSSTAND_CACHE_URL"].startswith("redis://")
    assert "NEWSSTAND_SECRET_KEY" in env and env["NEWSSTAND_TRUSTED_PROXY_COUNT"] == "1"


@pytest.mark.parametrize(("where", "argv"), list(_commands().items()))
def test_each_deployed_command_is_tested_and_accepts_its_arguments(
    where: str, argv: list[str]
) -> None:
    name = argv[0]
    app = get_commands().get(name)
    assert app, f"{where}: no command {name!r}"
    command = load_command_class(app, name)
    command.create_parser("newsstand", name).parse_args(argv[1:])  # SystemExit if refused
    role = (name, "--no-worker") if "--no-worker" in argv else (name, *argv[1:2])
    exercised = {tuple(c) for c in EXERCISED_COMMANDS} | ALSO_TESTED
    assert role in exercised or (name,) in exercised, f"{where}: {argv} is run by no test"


def test_the_image_runs_as_an_unprivileged_user_from_a_build_stage() -> None:
    text = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    assert "COPY --from=build" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}


def test_the_proxy_forwards_what_the_trusted_proxy_count_reads() -> None:
    text = NGINX.read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert re.search(r"location = /metrics \{\s*return 404;", text)
