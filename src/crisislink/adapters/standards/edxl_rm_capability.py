"""Which catalogue type a received EDXL-RM resource is.

In order: the caller's explicit choice; a catalogue code the resource names in its TypeStructure, a
Keyword or TypeInfo (what crisislink itself writes); a UCPM module abbreviation in a value list whose URN
says UCPM; a text of the resource (type value, TypeInfo, name) that is, letter for letter up to case, the
English name of exactly one catalogue type or one of its national terms. Anything else is refused with
the type it names and the codes to choose from: a guess could send the wrong team.
"""

from __future__ import annotations

from collections.abc import Iterable

from crisislink.adapters.standards import edxl_parts
from crisislink.adapters.standards.edxl_rm import Resource, ValueList
from crisislink.domains.assistance.catalogue import CAPABILITIES, Match, capability
from crisislink.kernel.errors import InvalidInput

_MODULES = {kind.ucpm_module.lower(): code for code, kind in CAPABILITIES.items() if kind.ucpm_module}


def _lists(resource: Resource) -> list[ValueList]:
    return [*([resource.type_structure] if resource.type_structure else []), *resource.keywords]


def _texts(resource: Resource) -> list[str]:
    texts = [value for listed in _lists(resource) for value in listed.values]
    if resource.type_info is not None:
        texts += edxl_parts.fields(resource.type_info).values()
    if resource.name:
        texts.append(resource.name)
    return [text.strip() for text in texts if text.strip()]


def catalogue_codes(resource: Resource) -> set[str]:
    """The catalogue codes a resource names itself (as crisislink writes them)."""
    return {text for text in _texts(resource) if text in CAPABILITIES}


def _named(texts: Iterable[str]) -> set[str]:
    """Catalogue codes whose English name or a national term is one of the texts."""
    wanted = {text.casefold() for text in texts}
    found = set()
    for code, kind in CAPABILITIES.items():
        names = {kind.name} | {t.term for t in kind.terms.values() if t.match is not Match.NONE}
        if wanted & {name.casefold() for name in names}:
            found.add(code)
    return found


def _only(found: set[str], resource: Resource) -> str | None:
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise InvalidInput(
            f"the resource {_described(resource)} could be any of {', '.join(sorted(found))}; "
            "give capability=<code> to say which"
        )
    return None


def capability_of(resource: Resource | None, override: str | None) -> str:
    """The catalogue code of a received resource (see the module's docstring for the order)."""
    if override:
        return capability(override.strip()).code
    if resource is None:
        raise InvalidInput("the message does not say what resource it is about; give capability=<code>")
    texts = _texts(resource)
    found = _only(catalogue_codes(resource), resource)
    found = found or _only(_modules(resource), resource)
    found = found or _only(_named(texts), resource)
    if found is None:
        raise InvalidInput(
            f"the resource type {_described(resource)} is not in the crisislink catalogue and matches none "
            f"of its types; give capability=<code> with one of: {', '.join(CAPABILITIES)} "
            "(GET /api/capabilities describes them)"
        )
    return found


def _modules(resource: Resource) -> set[str]:
    return {
        _MODULES[value.strip().lower()]
        for listed in _lists(resource)
        if "ucpm" in listed.value_list_urn.lower()
        for value in listed.values
        if value.strip().lower() in _MODULES
    }


def _described(resource: Resource) -> str:
    parts = [f"{v.value_list_urn} {'/'.join(v.values)}" for v in _lists(resource)[:1]]
    if resource.type_info is not None:
        info = edxl_parts.fields(resource.type_info)
        parts += [f"{name}: {value}" for name, value in info.items() if value][:4]
    if resource.name:
        parts.append(resource.name)
    return "'" + "; ".join(parts or ["(no type given)"]) + "'"
