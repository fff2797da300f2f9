"""CAP alerts: build + validate + sign one three-language alert, and how many received alerts one core validates.

Data:  1  a cross-border flood alert for the Geul and the Meuse built in code: three <info> blocks, nl, fr
          and de (no English one), each with the EU (MeteoAlarm) awareness parameters (3; orange; Severe and
          12; flooding), one area with a polygon of 200 vertices (201 positions with the closing one: an
          ellipse around Valkenburg, Meerssen, Maastricht, Eijsden, Visé and Voeren whose radius is jittered
          by up to 6 % per vertex, fixed seed, 4 decimals) and the geocodes NUTS3 NL423, BE332, BE223 and
          EMMA_ID NL012, BE008, BE007. The polygon arrives as GeoJSON, as an incident's area would.
          The node's signing key (ECDSA P-256, self-signed certificate) is made once at start-up.
       2  the real CAP 1.2 examples shipped in tests/fixtures/standards/cap/examples/ (oasis-spec,
          meteoalarm, other) and the signed alert emitted by 1, read into memory once.
Timed: 1  per run, one after the other: build (GeoJSON polygon -> `cap.polygon_from_geojson`, the `Alert`,
          `Info`, `Area`, `Parameter` and `Geocode` objects) -> emit (`cap.to_xml`) -> validate
          (`cap_validation.validate`: parse, schema, rules; the signature check finds none) -> sign
          (`cap_signature.sign`). >= 200 runs after a warm-up; p50/p95 of the whole and of each step.
       2  one thread cycling through the files for a fixed time calling `cap_validation.validate(bytes)`
          (parse, schema, rules, and for the signed alert the signature check), alerts per second.
Floor: 2  in the same run, on the same bytes, plain lxml: `XMLSchema(...).validate(etree.fromstring(bytes))`
          with the CAP 1.2 schema the adapter ships (compiled once, the same file), parsing included.
Check: once, before timing: the emitted alert passes strictly (`Report.is_valid(strict=True)`), the signed
       alert verifies (signature VALID) and every file of 2 is valid under both validations.
Why:   when a target is missed, a short cProfile of the missed loop (functions by own time).

Targets: 1 p95 of build + validate + sign < 50 ms; 2 validate >= 1,000 real-sized alerts per second.

    python -m bench.cap_alerts [--quick] [--runs 300] [--seconds 2] [--strict] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from lxml import etree

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _support as s
from crisislink.adapters.standards import cap, cap_validation
from crisislink.adapters.standards.cap_rules import Subject, TreeCheck
from crisislink.adapters.standards.cap_signature import (
    NodeIdentity,
    SignatureState,
    make_node_identity,
    sign,
    verify,
)

TARGET_P95_MS = 50.0
TARGET_PER_S = 1000.0
WARM_UP = 20
EXAMPLES = s.ROOT / "tests" / "fixtures" / "standards" / "cap" / "examples"
FOLDERS = ("oasis-spec", "meteoalarm", "other")
CEST = timezone(timedelta(hours=2))

# The area: an ellipse over the lower Geul and the Meuse between Maastricht and Visé.
VERTICES = 200
CENTRE = (50.815, 5.755)  # (lat, lon)
HALF_AXES = (0.095, 0.135)  # degrees of latitude and longitude: ~10.5 km north-south, ~9.5 km east-west
JITTER = 0.06
PLACES = ("Valkenburg", "Meerssen", "Maastricht", "Eijsden", "Visé", "Voeren")
GEOCODES = (
    ("NUTS3", "NL423"),  # Zuid-Limburg: Valkenburg aan de Geul, Meerssen, Maastricht, Eijsden-Margraten
    ("NUTS3", "BE332"),  # Arr. Liège: Visé
    ("NUTS3", "BE223"),  # Arr. Tongeren: Voeren
    ("EMMA_ID", "NL012"),  # Limburg (NL)
    ("EMMA_ID", "BE008"),  # Liège
    ("EMMA_ID", "BE007"),  # Limburg (BE)
)


# --------------------------------------------------------------------------- 1: the alert


def area_geojson(rng: random.Random) -> dict[str, Any]:
    """A GeoJSON polygon of VERTICES distinct vertices; angles only increase, so it never self-intersects."""
    lat0, lon0 = CENTRE
    ring = []
    for i in range(VERTICES):
        angle = 2 * math.pi * i / VERTICES
        factor = 1 + rng.uniform(-JITTER, JITTER)
        ring.append(
            [
                round(lon0 + HALF_AXES[1] * factor * math.cos(angle), 4),
                round(lat0 + HALF_AXES[0] * factor * math.sin(angle), 4),
            ]
        )
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass(frozen=True)
class Text:
    language: str
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    audience: str


TEXTS = (
    Text(
        "nl-NL",
        "Overstroming",
        "Overstromingsgevaar langs de Geul en de Maas",
        "Door aanhoudende zware regen in de Eifel en de Ardennen stijgen de Geul en de Maas snel. Tussen "
        "Valkenburg, Meerssen en Maastricht treedt de Geul naar verwachting vannacht buiten haar oevers; "
        "de Maas bereikt bij Eijsden en Visé morgenochtend een piek. Kelders, laaggelegen straten en "
        "campings langs het water lopen onder.",
        "Verplaats waardevolle spullen naar hoger gelegen verdiepingen. Mijd de oevers en overstroomde "
        "wegen. Volg de aanwijzingen van de hulpdiensten en de berichten van de gemeente.",
        "Geul- en Maasdal: Valkenburg aan de Geul, Meerssen, Maastricht, Eijsden-Margraten, Visé, Voeren",
        "inwoners en bezoekers van het Geul- en Maasdal",
    ),
    Text(
        "fr-BE",
        "Inondation",
        "Risque d'inondation le long de la Gueule et de la Meuse",
        "En raison de fortes pluies persistantes dans l'Eifel et les Ardennes, la Gueule et la Meuse montent "
        "rapidement. Entre Valkenburg, Meerssen et Maastricht, la Gueule devrait sortir de son lit cette "
        "nuit ; la Meuse atteindra son maximum à Eijsden et à Visé demain matin. Caves, rues basses et "
        "campings en bord d'eau seront inondés.",
        "Mettez vos biens de valeur à l'étage. Évitez les berges et les routes inondées. Suivez les "
        "consignes des services de secours et les messages de votre commune.",
        "Vallées de la Gueule et de la Meuse : Valkenburg, Meerssen, Maastricht, Eijsden, Visé, Fourons",
        "habitants et visiteurs des vallées de la Gueule et de la Meuse",
    ),
    Text(
        "de-DE",
        "Hochwasser",
        "Hochwassergefahr an Geul und Maas",
        "Nach anhaltendem Starkregen in der Eifel und den Ardennen steigen Geul und Maas schnell an. "
        "Zwischen Valkenburg, Meerssen und Maastricht tritt die Geul voraussichtlich in der Nacht über die "
        "Ufer; die Maas erreicht bei Eijsden und Visé morgen früh ihren Höchststand. Keller, tief gelegene "
        "Straßen und Campingplätze am Wasser werden überflutet.",
        "Bringen Sie Wertsachen in höher gelegene Stockwerke. Meiden Sie Ufer und überflutete Straßen. "
        "Folgen Sie den Anweisungen der Einsatzkräfte und den Meldungen Ihrer Gemeinde.",
        "Geul- und Maastal: Valkenburg, Meerssen, Maastricht, Eijsden, Visé, Voeren",
        "Einwohner und Besucher des Geul- und Maastals",
    ),
)


def build_alert(polygon_geojson: dict[str, Any], sent: datetime, identifier: str) -> cap.Alert:
    """The three-language alert, built from scratch (the polygon converted from GeoJSON, as an incident's)."""
    polygon = cap.polygon_from_geojson(polygon_geojson)
    onset = sent + timedelta(hours=2)
    expires = sent + timedelta(hours=36)
    infos = tuple(
        cap.Info(
            language=text.language,
            categories=("Met", "Env"),
            event=text.event,
            response_types=("Prepare", "Avoid"),
            urgency="Expected",
            severity="Severe",
            certainty="Likely",
            audience=text.audience,
            event_codes=(cap.EventCode(value_name="profile:EU-awareness:1.0", value="12"),),
            effective=sent,
            onset=onset,
            expires=expires,
            sender_name="Veiligheidsregio Zuid-Limburg / Province de Liège",
            headline=text.headline,
            description=text.description,
            instruction=text.instruction,
            web="https://crisislink.example/alerts/" + identifier,
            contact="+31 88 119 0000",
            parameters=(
                cap.Parameter(value_name="awareness_level", value="3; orange; Severe"),
                cap.Parameter(value_name="awareness_type", value="12; flooding"),
                cap.Parameter(value_name="waterway", value="Geul; Maas/Meuse"),
            ),
            areas=(
                cap.Area(
                    area_desc=text.area_desc,
                    polygons=(polygon,),
                    geocodes=tuple(cap.Geocode(value_name=n, value=v) for n, v in GEOCODES),
                ),
            ),
        )
        for text in TEXTS
    )
    return cap.Alert(
        identifier=identifier,
        sender="vrzl@crisislink.example",
        sent=sent,
        status="Actual",
        msg_type="Alert",
        source="crisislink node NL-VR23 (joint Geul/Meuse flood cell)",
        scope="Public",
        codes=("profile:EU-awareness:1.0",),
        incidents="NL-VR23-2024-0712",
        infos=infos,
    )


STEPS = ("build", "emit", "validate", "sign")


@dataclass(frozen=True)
class Run:
    build: float
    emit: float
    validate: float
    sign: float

    @property
    def total(self) -> float:
        return self.build + self.emit + self.validate + self.sign


def one_run(
    polygon: dict[str, Any], sent: datetime, identifier: str, identity: NodeIdentity
) -> tuple[Run, bytes, cap_validation.Report, bytes]:
    t0 = time.perf_counter()
    alert = build_alert(polygon, sent, identifier)
    t1 = time.perf_counter()
    xml = cap.to_xml(alert)
    t2 = time.perf_counter()
    report = cap_validation.validate(xml)
    t3 = time.perf_counter()
    signed = sign(xml, identity.key_pem, identity.cert_pem)
    t4 = time.perf_counter()
    ms = [(b - a) * 1000 for a, b in ((t0, t1), (t1, t2), (t2, t3), (t3, t4))]
    return Run(*ms), xml, report, signed


def run_pipeline(
    polygon: dict[str, Any], sent: datetime, identity: NodeIdentity, runs: int
) -> tuple[list[Run], bytes, bytes]:
    xml = signed = b""
    for i in range(WARM_UP):
        one_run(polygon, sent, f"NL-VR23-warm-{i}", identity)
    samples: list[Run] = []
    for i in range(runs):
        run, xml, report, signed = one_run(polygon, sent, f"NL-VR23-2024-0712-{i:04d}", identity)
        if i == 0 and not report.is_valid(strict=True):
            raise SystemExit(f"the emitted alert is not valid: {report.to_dict()}")
        samples.append(run)
    return samples, xml, signed


def series_line(name: str, ms: Sequence[float]) -> str:
    return (
        f"{name:<26} p50 {s.median(ms):8.2f} ms   p95 {s.percentile(ms, 95):8.2f} ms   "
        f"min {min(ms):7.2f}   max {max(ms):7.2f}   (n={len(ms)})"
    )


# --------------------------------------------------------------------------- 2: throughput


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes


def read_examples() -> list[Sample]:
    found: list[Sample] = []
    for folder in FOLDERS:
        found += [
            Sample(f"{folder}/{path.name}", path.read_bytes())
            for path in sorted((EXAMPLES / folder).iterdir())
            if path.is_file()
        ]
    return found


def plain_schema() -> etree.XMLSchema:
    """The CAP 1.2 schema the adapter ships, compiled with plain lxml (the adapter compiles the same file)."""
    source = resources.files(cap_validation.SCHEMA_PACKAGE).joinpath(cap_validation.SCHEMA_PATHS["1.2"])
    return etree.XMLSchema(etree.fromstring(source.read_bytes()))


def throughput(fn: Callable[[bytes], object], samples: Sequence[Sample], seconds: float) -> tuple[int, float]:
    """(alerts, elapsed s) of calling `fn` on the samples in turn, whole cycles, for at least `seconds`."""
    payloads = [sample.data for sample in samples]
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for data in payloads:
            fn(data)
        done += len(payloads)
        if time.perf_counter() >= deadline:
            return done, time.perf_counter() - started


def check_samples(samples: Sequence[Sample], schema: etree.XMLSchema) -> None:
    for sample in samples:
        report = cap_validation.validate(sample.data)
        if not report.is_valid() or report.version != "1.2":
            raise SystemExit(f"{sample.name} is not valid CAP 1.2 for the adapter: {report.to_dict()}")
        if not schema.validate(etree.fromstring(sample.data)):
            raise SystemExit(f"{sample.name} fails the plain XSD validation: {schema.error_log}")


def per_alert_ms(fn: Callable[[], object], count: int, seconds: float) -> float:
    """ms per alert of `fn`, which handles `count` alerts, repeated for at least `seconds`."""
    rounds = 0
    started = time.perf_counter()
    while True:
        fn()
        rounds += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return 1000 * elapsed / (rounds * count)


def stages(samples: Sequence[Sample], schema: etree.XMLSchema, seconds: float) -> list[tuple[str, float]]:
    """ms per alert of the parts of `validate`, each run alone on the same files (public functions only)."""
    payloads = [sample.data for sample in samples]
    trees = [cap.parse_tree(data) for data in payloads]
    alerts = [cap.alert_from_tree(tree) for tree in trees]
    subjects = [Subject(tree, alert) for tree, alert in zip(trees, alerts, strict=True)]
    n = len(payloads)

    def rules_only() -> None:
        for subject in subjects:
            for rule in cap_validation.RULES:
                list(rule.check(subject))

    measured: list[tuple[str, Callable[[], object]]] = [
        ("whole validate", lambda: [cap_validation.validate(d) for d in payloads]),
        ("  parse (cap.parse_tree: hardened parser)", lambda: [cap.parse_tree(d) for d in payloads]),
        (
            "  schema (XMLSchema.validate of the parsed tree)",
            lambda: [schema.validate(t.root) for t in trees],
        ),
        ("  read into the model (cap.alert_from_tree)", lambda: [cap.alert_from_tree(t) for t in trees]),
        (f"  the {len(cap_validation.RULES)} rules on tree + model", rules_only),
        (
            "  signature (cap_signature.verify of the parsed tree)",
            lambda: [verify(d, root=t.root) for d, t in zip(payloads, trees, strict=True)],
        ),
    ]
    found = [(label, per_alert_ms(fn, n, seconds)) for label, fn in measured]
    rest = found[0][1] - sum(ms for _, ms in found[1:])
    return [*found, ("  the rest (Report, locks, gen-2 GC, noise)", rest)]


def rule_costs(samples: Sequence[Sample], seconds: float, top: int = 8) -> list[tuple[str, float]]:
    """ms per alert of each rule alone (the model read once beforehand), the costliest first."""
    subjects = [
        Subject(tree, cap.alert_from_tree(tree)) for tree in (cap.parse_tree(x.data) for x in samples)
    ]
    costs = []
    for rule in cap_validation.RULES:

        def run(check: TreeCheck = rule.check) -> None:
            for subject in subjects:
                list(check(subject))

        costs.append((rule.code, per_alert_ms(run, len(subjects), seconds)))
    return sorted(costs, key=lambda item: -item[1])[:top]


# --------------------------------------------------------------------------- profiling


def profile(label: str, fn: Callable[[], object], top: int = 18) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(pstats.SortKey.TIME).print_stats(top)
    s.heading(f"cProfile: {label} (by own time)")
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    keep = [line for line in lines if "function calls" in line or "ncalls" in line or "(" in line]
    print("\n".join(keep[: top + 3]))


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (50 runs, 0.5 s per loop)")
    parser.add_argument("--runs", type=int, default=None, help="timed build+validate+sign runs (default 300)")
    parser.add_argument(
        "--seconds", type=float, default=None, help="seconds per throughput loop (default 2.5)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile both loops even when targets are met")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.runs = args.runs or (50 if args.quick else 300)
    args.seconds = args.seconds or (0.5 if args.quick else 2.5)
    return args


@dataclass(frozen=True)
class Rates:
    validate: float  # alerts/s
    floor: float
    median_bytes: float


def part_one(
    args: argparse.Namespace, identity: NodeIdentity, polygon: dict[str, Any], sent: datetime
) -> tuple[float, bytes, bytes]:
    """Section 1: (p95 ms, the emitted alert, the signed alert)."""
    samples, xml, signed = run_pipeline(polygon, sent, identity, args.runs)
    signed_report = cap_validation.validate(signed)
    if signed_report.signature.state is not SignatureState.VALID or not signed_report.is_valid(strict=True):
        raise SystemExit(f"the signed alert does not verify: {signed_report.to_dict()}")
    positions = len(polygon["coordinates"][0])
    print(
        f"alert: {len(TEXTS)} languages ({', '.join(t.language for t in TEXTS)}; no English), one area each "
        f"with {positions - 1} vertices ({positions} positions) and {len(GEOCODES)} geocodes; "
        f"{len(xml):,} bytes emitted, {len(signed):,} signed"
    )
    print(f"places: {', '.join(PLACES)}")
    s.heading(f"1  build + emit + validate + sign one alert ({args.runs} runs after {WARM_UP} warm-up)")
    totals = [run.total for run in samples]
    print(f"  {series_line('whole', totals)}")
    grand = sum(totals)
    for step in STEPS:
        ms = [getattr(run, step) for run in samples]
        print(f"  {series_line(f'  {step}', ms)}   share {sum(ms) / grand:6.1%}")
    return s.percentile(totals, 95), xml, signed


def part_two(
    args: argparse.Namespace, corpus: Sequence[Sample], xml: bytes, schema: etree.XMLSchema
) -> Rates:
    """Section 2: validate against the plain XSD floor, over all files, the shipped ones, and each file."""
    sizes = sorted(len(sample.data) for sample in corpus)

    def floor(data: bytes) -> bool:
        return schema.validate(etree.fromstring(data))

    throughput(cap_validation.validate, corpus, 0.2)  # warm-up
    throughput(floor, corpus, 0.2)
    n_full, t_full = throughput(cap_validation.validate, corpus, args.seconds)
    n_floor, t_floor = throughput(floor, corpus, args.seconds)
    rates = Rates(n_full / t_full, n_floor / t_floor, s.median(sizes))
    real = corpus[:-1]
    n_real, t_real = throughput(cap_validation.validate, real, args.seconds / 2)
    n_real_floor, t_real_floor = throughput(floor, real, args.seconds / 2)
    s.heading(
        f"2  validate received alerts, one thread, {len(corpus)} files cycled for >= {args.seconds:g} s"
    )
    print(
        f"  sizes: median {rates.median_bytes:,.0f} bytes, min {sizes[0]:,}, max {sizes[-1]:,} "
        "(the signed emitted alert is the largest)"
    )
    print(f"  {'cap_validation.validate':<38} {rates.validate:9,.0f} alerts/s  ({n_full} in {t_full:.2f} s)")
    print(
        f"  {'floor: plain lxml fromstring + XSD':<38} {rates.floor:9,.0f} alerts/s  ({n_floor} in {t_floor:.2f} s)"
    )
    print(f"  validate costs {rates.floor / rates.validate:.1f}x the plain XSD validation")
    print(
        f"  the {len(real)} shipped examples alone (no emitted alert): validate "
        f"{n_real / t_real:,.0f} alerts/s, floor {n_real_floor / t_real_floor:,.0f} alerts/s"
    )

    per_file_s = max(0.1, args.seconds / 10)
    s.heading(f"2  per file (>= {per_file_s:g} s each; ms per alert)")
    print(f"  {'file':<44} {'bytes':>7} {'validate':>9} {'XSD floor':>10} {'ratio':>6}")
    unsigned = Sample("emitted (step 1, unsigned, for comparison)", xml)
    for sample in [*corpus, unsigned]:
        n_a, t_a = throughput(cap_validation.validate, [sample], per_file_s)
        n_b, t_b = throughput(floor, [sample], per_file_s)
        ms_a, ms_b = 1000 * t_a / n_a, 1000 * t_b / n_b
        print(f"  {sample.name:<44} {len(sample.data):>7,} {ms_a:9.3f} {ms_b:10.3f} {ms_a / ms_b:5.1f}x")
    return rates


def explain(args: argparse.Namespace, corpus: Sequence[Sample], schema: etree.XMLSchema) -> None:
    part_s = 0.3 if args.quick else 0.6
    s.heading(f"why: the parts of validate, each alone on the {len(corpus)} files (ms per alert, mean)")
    parts = stages(corpus, schema, part_s)
    for label, ms in parts:
        print(f"  {ms:8.3f}  {100 * ms / parts[0][1]:5.1f} %  {label}")
    s.heading("why: the costliest rules, each alone on the same files (ms per alert, mean)")
    for code, ms in rule_costs(corpus, part_s / 4):
        print(f"  {ms:8.3f}  {code}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s.heading("CAP alerts: build + validate + sign, and validation throughput")
    print(s.machine_line())
    print(
        f"lxml {metadata.version('lxml')} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}); "
        f"signxml {metadata.version('signxml')}; cryptography {metadata.version('cryptography')}; one thread"
    )
    started = time.perf_counter()
    identity = make_node_identity("crisislink node NL-VR23 (bench)")
    print(f"signing key: ECDSA P-256 + self-signed certificate, made once in {_ms(started):.1f} ms")
    polygon = area_geojson(random.Random(args.seed))
    sent = datetime.now(CEST).replace(microsecond=0)

    p95, xml, signed = part_one(args, identity, polygon, sent)
    met_1 = p95 < TARGET_P95_MS

    schema = plain_schema()
    corpus = [*read_examples(), Sample("emitted (step 1, signed)", signed)]
    check_samples(corpus, schema)
    rates = part_two(args, corpus, xml, schema)
    met_2 = rates.validate >= TARGET_PER_S

    explain(args, corpus, schema)
    if args.profile or not met_1:
        runs = min(args.runs, 50)
        profile(
            f"build + validate + sign, {runs} runs",
            lambda: [one_run(polygon, sent, f"p-{i}", identity) for i in range(runs)],
        )
    if args.profile or not met_2:
        profile(
            f"validate, the {len(corpus)} files cycled for 1 s",
            lambda: throughput(cap_validation.validate, corpus, 1.0),
        )

    s.heading("results")
    print(
        f"RESULT build+validate+sign: p95 {p95:.2f} ms for one {len(TEXTS)}-language alert "
        f"(target < {TARGET_P95_MS:.0f} ms) -> {'MET' if met_1 else 'NOT MET'}"
    )
    print(
        f"RESULT validation throughput: {rates.validate:,.0f} alerts/s on one core, median "
        f"{rates.median_bytes:,.0f} bytes (floor: plain XSD {rates.floor:,.0f}/s, "
        f"{rates.floor / rates.validate:.1f}x) (target >= {TARGET_PER_S:,.0f}/s) -> {'MET' if met_2 else 'NOT MET'}"
    )
    return 1 if args.strict and not (met_1 and met_2) else 0


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    raise SystemExit(main())
