"""The map API: layer list, policy-filtered GeoJSON layers, and the offline basemap (on SQLite and PostgreSQL)."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
import pytest
from shapely.geometry import Point, shape

from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.layers import LayerRegistry, MapLayer
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.api.map import BASEMAP_LAYERS
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import Client, assert_problem, sign_in

# Each partner of the test world gets a real boundary from the shipped reference data.
JURISDICTIONS = {
    "BE-NCCN": ("countries", "BE"),
    "BE-PROV-LIEGE": ("regions", "BE33"),
    "NL-VR23": ("regions", "VR23"),
}
TITLES = {
    "en": (
        "Partner jurisdictions",
        "Points of contact",
        "Incidents",
        "Neighbours' public warnings",
        "Resources",
        "Hospitals",
        "Partners' live data",
    ),
    "fr": (
        "Territoires des partenaires",
        "Points de contact",
        "Incidents",
        "Alertes à la population des pays voisins",
        "Moyens",
        "Hôpitaux",
        "Données en direct des partenaires",
    ),
    "de": (
        "Zuständigkeitsgebiete der Partner",
        "Kontaktstellen",
        "Ereignisse",
        "Bevölkerungswarnungen der Nachbarländer",
        "Kräfte und Mittel",
        "Krankenhäuser",
        "Live-Daten der Partner",
    ),
    "nl": (
        "Bevoegde gebieden van partners",
        "Contactpunten",
        "Incidenten",
        "Publiekswaarschuwingen van buurlanden",
        "Middelen",
        "Ziekenhuizen",
        "Live-gegevens van partners",
    ),
}
REFERENCE = ReferenceData()


def give_jurisdiction(world: World, partner: str, layer: str, code: str) -> None:
    partner_id = world.partners[partner]
    version = directory.get_partner(world.platform.engine, partner_id).version
    boundary = REFERENCE.get(layer, code)
    world.platform.bus.handle(
        sc.UpdatePartner(
            actor=SYSTEM,
            partner_id=partner_id,
            expected_version=version,
            jurisdiction=Area(geometry=boundary.geometry, ref=f"{layer}:{code}"),
        )
    )


def give_jurisdictions(world: World) -> None:
    for partner, (layer, code) in JURISDICTIONS.items():
        give_jurisdiction(world, partner, layer, code)


def as_public(client: Client) -> Client:
    client.cookies.clear()
    return client


def geojson(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.headers["x-content-type-options"] == "nosniff"
    body = json.loads(response.content)
    assert isinstance(body, dict)
    assert body["type"] == "FeatureCollection"
    assert isinstance(body["features"], list)
    return body


def features_of(client: Client, layer: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/map/layers/{layer}")
    # Per viewer: never in a shared cache; the browser revalidates with the ETag every time.
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["etag"]
    features: list[dict[str, Any]] = geojson(response)["features"]
    for feature in features:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], str)
    return features


# --- the layer list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(TITLES))
def test_the_layer_list_names_the_registered_layers_in_the_callers_language(
    world: World, client: Client, language: str
) -> None:
    browser = {"accept-language": f"{language};q=0.9, ja;q=0.1"}
    by_header = client.get("/api/map/layers", headers=browser)  # the public: the browser's language
    sign_in(client, "be.duty")
    by_choice = client.get("/api/map/layers", params={"lang": language}, headers={"accept-language": "ja"})
    for response in (by_header, by_choice):
        assert response.status_code == 200, response.text
        layers = response.json()
        assert [layer["id"] for layer in layers] == [
            "jurisdictions",
            "contact_points",
            "incidents",
            "external_warnings",
            "units",
            "hospitals",
            "datasets",
        ]
        assert tuple(layer["title"] for layer in layers) == TITLES[language]
        assert [layer["geometry"] for layer in layers] == [
            "polygon",
            "point",
            "mixed",
            "mixed",
            "point",
            "point",
            "point",
        ]
        assert [layer["url"] for layer in layers] == [
            "/api/map/layers/jurisdictions",
            "/api/map/layers/contact_points",
            "/api/map/layers/incidents",
            "/api/map/layers/external_warnings",
            "/api/map/layers/units",
            "/api/map/layers/hospitals",
            "/api/map/layers/datasets",
        ]
        for layer in layers:
            assert isinstance(layer["visible"], bool)
            assert isinstance(layer["style"], dict)
            assert layer["style"]["color"].startswith("#")


def test_the_layer_list_falls_back_to_english_for_an_unknown_language(world: World, client: Client) -> None:
    response = client.get("/api/map/layers", params={"lang": "xx"}, headers={"accept-language": "ja"})
    assert tuple(layer["title"] for layer in response.json()) == TITLES["en"]


def test_layer_titles_follow_the_users_stored_language_like_the_pages(world: World, client: Client) -> None:
    world.platform.bus.handle(sc.SetPreferences(actor=world.actor("be.duty"), locale="fr"))
    sign_in(client, "be.duty")
    english_browser = {"accept-language": "en"}
    page = client.get("/directory", headers=english_browser)
    assert page.headers["content-language"] == "fr"
    response = client.get("/api/map/layers", headers=english_browser)
    assert tuple(layer["title"] for layer in response.json()) == TITLES["fr"]


def test_a_registered_layer_is_listed_in_order_and_served(world: World, client: Client) -> None:
    seen: list[Viewer] = []

    def shelters(_engine: object, viewer: Viewer, _now: datetime) -> Iterable[dict[str, Any]]:
        seen.append(viewer)
        yield {
            "type": "Feature",
            "id": "shelter:1",
            "geometry": {"type": "Point", "coordinates": [5.57, 50.63]},
            "properties": {"kind": "shelter", "name": "Sports hall"},
        }

    world.platform.layers.register(
        MapLayer(id="shelters", title="Shelters", geometry="point", features=shelters, order=15)
    )
    sign_in(client, "nl.duty")

    listed = [layer["id"] for layer in client.get("/api/map/layers").json()]
    served = features_of(client, "shelters")

    assert listed == [
        "jurisdictions",
        "shelters",
        "contact_points",
        "incidents",
        "external_warnings",
        "units",
        "hospitals",
        "datasets",
    ]
    assert [feature["id"] for feature in served] == ["shelter:1"]
    assert seen == [Viewer(user_id=world.users["nl.duty"], partner_id=world.partners["NL-VR23"])]


def test_the_registry_refuses_a_second_layer_with_the_same_id() -> None:
    registry = LayerRegistry()
    first = MapLayer(id="rivers", title="Rivers", geometry="line", features=lambda *_: ())
    registry.register(first)

    with pytest.raises(ValueError, match="'rivers'"):
        registry.register(
            MapLayer(id="rivers", title="Other rivers", geometry="line", features=lambda *_: ())
        )

    assert registry.get("rivers") is first
    assert list(registry) == [first]


def test_the_platforms_registry_refuses_to_replace_a_built_in_layer(world: World) -> None:
    layer = world.platform.layers.get("contact_points")
    assert layer is not None
    with pytest.raises(ValueError, match="contact_points"):
        world.platform.layers.register(
            MapLayer(id="contact_points", title="Everything", geometry="point", features=lambda *_: ())
        )
    assert world.platform.layers.get("contact_points") is layer


# --- points of contact through the sharing policy -------------------------------------------------------


def markings_world(world: World) -> dict[str, uuid.UUID]:
    """Points of contact covering each marking and audience that decides visibility."""
    p, u = world.partners, world.users
    return {
        "red nccn for be.duty": world.contact(
            "BE-NCCN", Tlp.RED, frozenset({Principal.user(u["be.duty"])}), "red nccn for be.duty"
        ),
        "amber nccn for vr23": world.contact(
            "BE-NCCN", Tlp.AMBER, frozenset({Principal.partner(p["NL-VR23"])}), "amber nccn for vr23"
        ),
        "amber nccn for liege": world.contact(
            "BE-NCCN",
            Tlp.AMBER,
            frozenset({Principal.partner(p["BE-PROV-LIEGE"])}),
            "amber nccn for liege",
        ),
        "green liege": world.contact("BE-PROV-LIEGE", Tlp.GREEN, name="green liege"),
        "clear vr23": world.contact("NL-VR23", Tlp.CLEAR, name="clear vr23"),
        "strict vr23": world.contact("NL-VR23", Tlp.AMBER_STRICT, name="strict vr23"),
        "red vr23 for liege.duty": world.contact(
            "NL-VR23", Tlp.RED, frozenset({Principal.user(u["liege.duty"])}), "red vr23 for liege.duty"
        ),
    }


VISIBLE = {
    None: {"clear vr23"},
    "nl.duty": {"amber nccn for vr23", "green liege", "clear vr23", "strict vr23", "red vr23 for liege.duty"},
    "liege.duty": {"amber nccn for liege", "green liege", "clear vr23", "red vr23 for liege.duty"},
    "be.duty": {
        "red nccn for be.duty",
        "amber nccn for vr23",
        "amber nccn for liege",
        "green liege",
        "clear vr23",
    },
    "be.analyst": {  # same partner as be.duty, but not named in the RED audience: the owner grant applies
        "red nccn for be.duty",
        "amber nccn for vr23",
        "amber nccn for liege",
        "green liege",
        "clear vr23",
    },
}


@pytest.mark.parametrize("viewer", list(VISIBLE), ids=lambda v: v or "public")
def test_the_contact_layer_holds_exactly_the_points_of_contact_the_viewer_may_see(
    world: World, client: Client, viewer: str | None
) -> None:
    give_jurisdictions(world)
    ids = markings_world(world)
    if viewer is not None:
        sign_in(client, viewer)

    features = features_of(client, "contact_points")

    names = [feature["properties"]["name"] for feature in features]
    assert sorted(names) == sorted(VISIBLE[viewer])  # exactly these, each once
    for feature in features:
        props = feature["properties"]
        assert feature["id"] == f"contact:{ids[props['name']]}"
        assert props["contact_point_id"] == str(ids[props["name"]])
        assert props["kind"] == "contact_point"
        assert props["marking"] in {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}
        assert props["staffed_now"] is True
        assert props["channels"] == [{"kind": "email", "value": "desk@test.example", "note": None}]
        assert "audience" not in props  # who else may see it is not the viewer's business


def test_each_point_of_contact_is_placed_inside_its_owners_jurisdiction(world: World, client: Client) -> None:
    give_jurisdictions(world)
    markings_world(world)
    sign_in(client, "be.duty")
    owner_of = {str(world.partners[code]): code for code in world.partners}

    features = features_of(client, "contact_points")

    assert features
    for feature in features:
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        owner = owner_of[feature["properties"]["partner_id"]]
        layer, code = JURISDICTIONS[owner]
        area = shape(REFERENCE.get(layer, code).geometry)
        assert area.distance(Point(lon, lat)) < 1e-5, (owner, lon, lat)  # inside (to the rounding)
        assert feature["properties"]["partner_code"] == owner
        assert feature["properties"]["partner_name"] == owner


def test_a_point_of_contact_moves_with_its_partners_jurisdiction(world: World, client: Client) -> None:
    give_jurisdiction(world, "NL-VR23", "regions", "VR23")
    world.contact("NL-VR23", Tlp.GREEN, name="mobile desk")
    sign_in(client, "be.duty")
    before = features_of(client, "contact_points")[0]["geometry"]["coordinates"]

    give_jurisdiction(world, "NL-VR23", "regions", "VR01")
    after = features_of(client, "contact_points")[0]["geometry"]["coordinates"]

    assert shape(REFERENCE.get("regions", "VR23").geometry).distance(Point(before)) < 1e-5
    assert shape(REFERENCE.get("regions", "VR01").geometry).distance(Point(after)) < 1e-5


def test_a_point_of_contact_of_a_partner_without_jurisdiction_is_not_placed_anywhere(
    world: World, client: Client
) -> None:
    # No place to put it: it is left off the map (the directory lists it), never drawn at a made-up spot.
    give_jurisdiction(world, "BE-PROV-LIEGE", "regions", "BE33")
    world.contact("BE-PROV-LIEGE", Tlp.GREEN, name="placed")
    world.contact("BE-NCCN", Tlp.GREEN, name="nowhere")
    sign_in(client, "be.duty")

    names = [feature["properties"]["name"] for feature in features_of(client, "contact_points")]

    assert names == ["placed"]
    assert "nowhere" in {row["name"] for row in client.get("/api/contact-points").json()}


def test_the_public_sees_only_clear_points_of_contact_and_no_partner_details(
    world: World, client: Client
) -> None:
    give_jurisdictions(world)
    markings_world(world)

    features = features_of(as_public(client), "contact_points")

    assert [feature["properties"]["marking"] for feature in features] == ["CLEAR"]


def test_an_unknown_bearer_token_gets_a_401_not_the_public_view(world: World, client: Client) -> None:
    give_jurisdictions(world)
    markings_world(world)
    response = client.get(
        "/api/map/layers/contact_points", headers={"authorization": "Bearer clk_0000_forged"}
    )
    assert_problem(response, 401, "token")


# --- jurisdictions --------------------------------------------------------------------------------------


def test_signed_in_members_see_every_partners_jurisdiction_as_its_real_polygon(
    world: World, client: Client
) -> None:
    give_jurisdictions(world)
    sign_in(client, "nl.duty")

    features = features_of(client, "jurisdictions")

    assert [feature["properties"]["code"] for feature in features] == sorted(JURISDICTIONS)
    for feature in features:
        code = feature["properties"]["code"]
        layer, ref = JURISDICTIONS[code]
        assert feature["id"] == f"partner:{world.partners[code]}"
        assert feature["geometry"] == REFERENCE.get(layer, ref).geometry
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert feature["properties"]["partner_id"] == str(world.partners[code])
        assert feature["properties"]["ref"] == f"{layer}:{ref}"
        assert feature["properties"]["kind"] == "jurisdiction"


def test_partners_without_a_jurisdiction_are_not_in_the_jurisdiction_layer(
    world: World, client: Client
) -> None:
    give_jurisdiction(world, "NL-VR23", "regions", "VR23")
    sign_in(client, "be.duty")
    assert [f["properties"]["code"] for f in features_of(client, "jurisdictions")] == ["NL-VR23"]


def test_the_public_gets_an_empty_jurisdiction_layer(world: World, client: Client) -> None:
    give_jurisdictions(world)
    assert features_of(as_public(client), "jurisdictions") == []


def test_an_unknown_layer_is_a_404_problem(world: World, client: Client) -> None:
    sign_in(client, "be.duty")
    for name in ("nothing", "basemap", "contact_points.json", "CONTACT_POINTS"):
        assert_problem(client.get(f"/api/map/layers/{name}"), 404, "no map layer")
    assert_problem(as_public(client).get("/api/map/layers/nothing"), 404, "no map layer")


# --- the offline basemap --------------------------------------------------------------------------------


def test_the_basemap_lists_its_four_layers_with_their_attribution(client: Client) -> None:
    response = client.get("/api/map/basemap")

    assert response.status_code == 200
    layers = response.json()
    assert [layer["id"] for layer in layers] == list(BASEMAP_LAYERS)
    assert set(BASEMAP_LAYERS) == {"countries", "regions", "municipalities", "rivers"}
    for layer in layers:
        assert layer["url"] == f"/api/map/basemap/{layer['id']}"
        assert layer["attribution"] == REFERENCE.attribution(layer["id"])
        assert len(layer["attribution"]) > 10


def raw_get(client: Client, path: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent on the wire (no content decoding)."""
    with client.stream("GET", path, headers=headers) as response:
        body = b"".join(response.iter_raw())
    return response, body


@pytest.mark.parametrize("name", BASEMAP_LAYERS)
def test_a_basemap_layer_is_served_compressed_with_an_etag(client: Client, name: str) -> None:
    response, wire = raw_get(client, f"/api/map/basemap/{name}", {"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["etag"].startswith('"')
    assert "accept-encoding" in response.headers["vary"].lower()
    assert response.headers["cache-control"].startswith("public")
    assert wire[:2] == b"\x1f\x8b"
    assert int(response.headers["content-length"]) == len(wire)


@pytest.mark.parametrize("name", BASEMAP_LAYERS)
def test_a_compressed_basemap_layer_decodes_once_to_its_geojson(client: Client, name: str) -> None:
    response, wire = raw_get(client, f"/api/map/basemap/{name}", {"accept-encoding": "gzip, deflate, br"})

    assert response.headers["content-encoding"] == "gzip"
    assert wire == REFERENCE.gzip_bytes(name)  # the shipped file, as is
    document = json.loads(gzip.decompress(wire))
    assert document["type"] == "FeatureCollection"
    assert response.headers["vary"].lower().replace(" ", "") == "accept-encoding"


@pytest.mark.parametrize("name", BASEMAP_LAYERS)
def test_a_basemap_layer_is_not_sent_again_when_the_etag_matches(client: Client, name: str) -> None:
    first, _ = raw_get(client, f"/api/map/basemap/{name}", {"accept-encoding": "gzip"})
    etag = first.headers["etag"]

    for encoding in ("gzip", "identity"):
        again, body = raw_get(
            client, f"/api/map/basemap/{name}", {"accept-encoding": encoding, "if-none-match": etag}
        )
        assert again.status_code == 304
        assert body == b""
        assert again.headers["etag"] == etag

    stale, _ = raw_get(
        client, f"/api/map/basemap/{name}", {"accept-encoding": "gzip", "if-none-match": '"stale"'}
    )
    assert stale.status_code == 200


@pytest.mark.parametrize("name", BASEMAP_LAYERS)
def test_a_basemap_layer_is_plain_geojson_for_a_client_without_gzip(client: Client, name: str) -> None:
    response, wire = raw_get(client, f"/api/map/basemap/{name}", {"accept-encoding": "identity"})

    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["content-type"].startswith("application/geo+json")
    assert wire == REFERENCE.geojson_bytes(name)
    document = json.loads(wire)
    assert document["type"] == "FeatureCollection"
    assert document["features"]
    assert response.headers["etag"].startswith('"')


def test_an_unknown_basemap_layer_is_a_404_problem(client: Client) -> None:
    response = client.get("/api/map/basemap/secret", headers={"accept-encoding": "identity"})
    assert_problem(response, 404, "no basemap layer", "countries")


def test_a_layer_unchanged_since_the_last_read_answers_304_and_a_change_gives_new_content(
    world: World, client: Client
) -> None:
    give_jurisdictions(world)
    sign_in(client, "be.duty")
    first = client.get("/api/map/layers/contact_points")
    again = client.get("/api/map/layers/contact_points", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    world.contact("BE-NCCN", Tlp.GREEN, name="New desk")
    changed = client.get("/api/map/layers/contact_points", headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
