"""What can be imported (imports.fields.catalogue) and the helpers the mapping step and
the engine use on it."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from imports.fields.catalogue import CATALOGUE
from imports.fields.spec import FieldSpec, choice_labels, choice_value
from imports.reading import header_key

__all__ = [
    "CATALOGUE",
    "FieldInfo",
    "FieldSpec",
    "choice_labels",
    "choice_value",
    "field_map",
    "fields_for",
    "known_header_keys",
    "suggest_mapping",
]


@dataclass
class FieldInfo:
    """A field as the mapping step shows it."""

    name: str
    label: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    help: str = ""


def fields_for(kind: str) -> list[FieldSpec]:
    return CATALOGUE[kind]


def field_map(kind: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in CATALOGUE[kind]}


def known_header_keys(kind: str) -> set[str]:
    return {alias for spec in CATALOGUE[kind] for alias in spec.aliases} | {
        header_key(str(spec.label)) for spec in CATALOGUE[kind]
    }


def suggest_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Each header to the field it names (by the common spellings or the field's label
    in either language); a field is given to the first header that names it."""
    by_key: dict[str, str] = {}
    for spec in CATALOGUE[kind]:
        keys = [*spec.aliases, header_key(spec.name)]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys.append(header_key(str(spec.label)))
        for key in keys:
            by_key.setdefault(key, spec.name)
    mapping, taken = {}, set()
    for header in headers:
        name = by_key.get(header_key(header), "")
        if name in taken:
            name = ""
        if name:
            taken.add(name)
        mapping[header] = name
    return mapping
