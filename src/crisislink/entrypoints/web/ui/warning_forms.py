"""Reading the console's warning forms into commands. Each parser raises InvalidInput naming the field, so a
refused form is re-rendered with a reason the operator can act on, and nothing reaches the bus.

Texts are fields named `<language>.<field>` (nl.headline, fr.instruction ...). Times are `datetime-local`
values in the operator's own time zone, which the browser does not send. The area is given exactly one way:
drawn on the map (`area_drawn`, GeoJSON the map script writes), pasted GeoJSON (`area_geojson`), an uploaded
file (`area_file`: GeoJSON or a CAP message), picked units (`units`, `unit_codes`) or EMMA_IDs (`emma_ids`).
"""

from __future__ import annotations

import re
import uuid

from crisislink.adapters.geo import warning_area_input as area_input
from crisislink.adapters.geo import warning_areas
from crisislink.app.bootstrap import Platform
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings.codes import Category, Certainty, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.values import WarningText, language_name
from crisislink.entrypoints.web.ui.form_values import (
    FormInput,
    enum_value,
    local_time,
    optional_uuid,
    whole_number,
)
from crisislink.entrypoints.web.ui.warning_labels import TEXT_FIELDS, TEXT_LANGUAGES
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Actor

_SEPARATORS = re.compile(r"[,;\n]")


# --- values ----------------------------------------------------------------------------------------------


def hazard_code(form: FormInput) -> str:
    """A code typed in the free field wins over the list: the list only holds hazards with a template."""
    code = form.get("hazard_other").strip() or form.get("hazard").strip()
    if not code:
        raise InvalidInput("hazard: choose one from the list or type its code")
    return code


def area_description(form: FormInput) -> str:
    described = form.get("area_description").strip()
    if not described:
        raise InvalidInput("area description: say in words where the warning applies (CAP areaDesc)")
    return described


def awareness(value: str) -> int | None:
    return whole_number(value, "EU awareness type") if value.strip() else None


def responses(form: FormInput) -> tuple[ResponseType, ...]:
    return tuple(enum_value(ResponseType, value, "response") for value in form.all("response_types"))


def texts(form: FormInput) -> tuple[tuple[str, WarningText], ...]:
    """The languages whose fields are not all empty; an incomplete one is refused with its language."""
    found = []
    for code in TEXT_LANGUAGES:
        values = {name: form.text(code, name).strip() for name in TEXT_FIELDS}
        if not any(values.values()):
            continue
        try:
            text = WarningText(
                headline=values["headline"],
                description=values["description"],
                instruction=values["instruction"],
                web=values["web"] or None,
                contact=values["contact"] or None,
            )
        except InvalidInput as error:
            raise InvalidInput(f"{language_name(code)} text: {error.message}") from None
        found.append((code, text))
    return tuple(found)


def written_languages(form: FormInput) -> tuple[str, ...]:
    """Languages with a headline typed in, for the 'still missing' hint before anything is saved."""
    return tuple(code for code in TEXT_LANGUAGES if form.text(code, "headline").strip())


# --- the area --------------------------------------------------------------------------------------------


def _units(platform: Platform, form: FormInput) -> list[tuple[str, str]] | None:
    picked = [tuple(value.split("/", 1)) for value in form.all("units") if "/" in value]
    typed = [token for token in _SEPARATORS.split(form.get("unit_codes")) if token.strip()]
    if not picked and not typed:
        return None
    units = [(layer, code) for layer, code in picked]
    return units + area_input.units_named(platform.reference, typed)


def area(platform: Platform, form: FormInput) -> Area | None:
    """The one area the form gives, or None when it gives none."""
    units = _units(platform, form)
    emma = [token.strip() for token in _SEPARATORS.split(form.get("emma_ids")) if token.strip()]
    ways = {
        "drawn": form.get("area_drawn").strip(),
        "pasted": form.get("area_geojson").strip(),
        "file": form.upload,
        "units": units,
        "emma": emma,
    }
    given = [name for name, value in ways.items() if value]
    if len(given) > 1:
        raise InvalidInput(
            f"give the area one way, not {' and '.join(given)}: clear the others (the map's Clear button "
            "empties the drawn area)"
        )
    if form.get("area_drawn").strip():
        return area_input.from_geojson_text(form.get("area_drawn"))
    if form.get("area_geojson").strip():
        return area_input.from_geojson_text(form.get("area_geojson"))
    if form.upload:
        return area_input.from_upload(form.upload)
    if units:
        return warning_areas.from_units(platform.reference, units)
    if emma:
        return warning_areas.from_emma_ids(platform.targeting.index(), emma)
    return None


def required_area(platform: Platform, form: FormInput) -> Area:
    found = area(platform, form)
    if found is None:
        raise InvalidInput(
            "a warning needs an area: draw it on the map, paste or upload it, or pick municipalities, "
            "regions or EMMA_IDs"
        )
    return found


# --- commands --------------------------------------------------------------------------------------------


def draft(platform: Platform, actor: Actor, timezone: str, form: FormInput) -> c.DraftWarning:
    found = required_area(platform, form)
    return c.DraftWarning(
        actor=actor,
        hazard=hazard_code(form),
        category=enum_value(Category, form.get("category"), "CAP category"),
        awareness_type=awareness(form.get("awareness_type")),
        severity=enum_value(Severity, form.get("severity"), "severity"),
        urgency=enum_value(Urgency, form.get("urgency"), "urgency"),
        certainty=enum_value(Certainty, form.get("certainty"), "certainty"),
        onset=local_time(form.get("onset"), timezone, "onset"),
        expires=local_time(form.get("expires"), timezone, "expires"),
        area=found,
        area_description=area_description(form),
        targeting=platform.targeting.for_warning(found)[1],
        texts=texts(form),
        response_types=responses(form),
        status=enum_value(Status, form.get("status", "Actual"), "status"),
        incident_id=optional_uuid(form.get("incident_id"), "incident"),
        marking=enum_value(Tlp, form.get("marking", "AMBER"), "marking"),
    )


def revise(
    platform: Platform, actor: Actor, timezone: str, warning_id: uuid.UUID, form: FormInput
) -> c.ReviseWarning:
    """Every field is sent as the operator sees it; the domain keeps what did not change (no new revision
    when nothing did). A new area, given any of the ways, comes with its new targeting."""
    found = area(platform, form)
    removed = tuple(form.all("remove_languages"))
    return c.ReviseWarning(
        actor=actor,
        warning_id=warning_id,
        expected_revision=whole_number(form.get("expected_revision"), "revision"),
        texts=tuple((code, text) for code, text in texts(form) if code not in removed),
        remove_languages=removed,
        hazard=hazard_code(form),
        category=enum_value(Category, form.get("category"), "CAP category"),
        awareness_type=awareness(form.get("awareness_type")),
        severity=enum_value(Severity, form.get("severity"), "severity"),
        urgency=enum_value(Urgency, form.get("urgency"), "urgency"),
        certainty=enum_value(Certainty, form.get("certainty"), "certainty"),
        response_types=responses(form),
        onset=local_time(form.get("onset"), timezone, "onset"),
        expires=local_time(form.get("expires"), timezone, "expires"),
        area=found,
        targeting=None if found is None else platform.targeting.for_warning(found)[1],
        area_description=area_description(form),
    )


def template(
    actor: Actor, warning_id: uuid.UUID, form: FormInput, placeholders: frozenset[str]
) -> c.ApplyTemplate:
    """Only the placeholders the template has and the operator filled: the others default to the
    warning's own area and times."""
    values = tuple(
        (name, form.get(f"value.{name}").strip())
        for name in sorted(placeholders)
        if form.get(f"value.{name}").strip()
    )
    return c.ApplyTemplate(
        actor=actor,
        warning_id=warning_id,
        expected_revision=whole_number(form.get("expected_revision"), "revision"),
        values=values,
    )


def country(form: FormInput) -> str:
    code = form.get("country").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput("choose the country")
    return code


def decision_fields(form: FormInput) -> tuple[str, int, str]:
    """(country, the revision the officer read, their comment)."""
    return country(form), whole_number(form.get("revision"), "revision"), form.get("comment").strip()
