"""Every string a person reads reaches the catalogue. makemessages (xgettext) finds
strings only inside calls spelled `_`, `gettext`, `gettext_lazy`, `gettext_noop`,
`ngettext(_lazy)`, `pgettext(_lazy)`…: an alias such as `gettext_lazy as _lazy` hides
every string marked with it (the export header "postal address" and the on-site visit
rule were never translated that way)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the roles

TRANSLATION_FUNCTIONS = {
    "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
    "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip
SKIPPED = {".venv", "tests", "staticfiles", "node_modules", ".git"}


def _project_sources():
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        if not SKIPPED.intersection(path.relative_to(root).parts):
            yield root, path


def test_translation_functions_keep_names_makemessages_knows():
    hidden = []
    for root, path in _project_sources():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    if alias.name in TRANSLATION_FUNCTIONS and alias.asname not in (None, "_"):
                        hidden.append(f"{path.relative_to(root)}: {alias.name} as {alias.asname}")
    assert hidden == []
