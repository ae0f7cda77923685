"""Docs are part of the product: every setting, command and dependency is explained."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner
from conftest import REPO

from inbox_audit.cli import cli
from inbox_audit.config import settings_fields


def test_every_setting_is_documented():
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name, _ in settings_fields() if f"`{name}`" not in text]
    assert not missing


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"inbox-audit {command}" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command):
    assert f"inbox-audit {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_every_dependency_is_explained_in_the_readme():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    readme = (REPO / "README.md").read_text(encoding="utf-8").lower()
    names = [dep.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip()
             for dep in project["dependencies"]]
    assert [n for n in names if f"`{n.lower()}`" not in readme] == []
