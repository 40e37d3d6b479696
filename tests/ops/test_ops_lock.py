"""The lock files (requirements/*.txt, `make lock`) agree with pyproject.toml, so a
dependency added, removed or re-bounded without `make lock` fails here, loudly, before
an image or a CI run installs something else than was declared."""

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.ops.conftest import BASE_DIR

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the test database

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _declared(*, dev: bool) -> dict[str, Requirement]:
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    if dev:
        lines += project["optional-dependencies"]["dev"]
    return {canonicalize_name(req.name): req for req in map(Requirement, lines)}


def _lock(name: str) -> tuple[dict[str, str], set[str], str]:
    """Pins {package: version}, the packages pulled in by the project itself, the text."""
    text = (BASE_DIR / "requirements" / name).read_text()
    pins, direct, current = {}, set(), None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = match.group(2)
        elif current and re.search(r"#\s+(via\s+)?travel-crm \(pyproject\.toml\)", line):
            direct.add(current)
    return pins, direct, text


@pytest.mark.parametrize(("lock", "dev"), [("runtime.txt", False), ("dev.txt", True)])
def test_the_lock_pins_exactly_what_pyproject_declares(lock, dev):
    declared = _declared(dev=dev)
    pins, direct, text = _lock(lock)
    fix = "pyproject.toml and requirements/ disagree: run `make lock` and commit both"
    assert set(declared) - set(pins) == set(), f"{fix} (not locked)"
    assert direct == set(declared), f"{fix} (locked as direct: {sorted(direct ^ set(declared))})"
    for name, requirement in declared.items():
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{fix}: {name}=={pins[name]} is outside {requirement.specifier}"
        )
    # Every pin carries hashes: pip's --require-hashes (make install, Dockerfile).
    assert text.count("==") == len(pins)
    for block in re.split(r"\n(?=\S)", text):
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_image_and_ci_install_the_same_versions():
    runtime, _, _ = _lock("runtime.txt")
    dev, _, _ = _lock("dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements/runtime.txt" in dockerfile
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "--require-hashes -r requirements/dev.txt" in makefile
