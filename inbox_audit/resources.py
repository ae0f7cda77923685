"""Where the bundled data lives: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # In an installed wheel the folders are copied into the package (see pyproject's
    # force-include); in a checkout or editable install they sit beside the package.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"bundled {name!r} not found next to {_PACKAGE}")


def rules_dir() -> Path:
    """The bundled classification rules (``rules/``)."""
    return _bundled("rules")


def templates_dir() -> Path:
    """The bundled Jinja2 templates (``templates/``)."""
    return _bundled("templates")


def samples_dir() -> Path:
    """The bundled demo mailbox and its config (``samples/``)."""
    return _bundled("samples")


def labelled_dir() -> Path:
    """The bundled labelled training corpus of the classifier (``samples/labelled/``)."""
    return samples_dir() / "labelled"
