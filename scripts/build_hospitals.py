"""Build the hospital register that crisislink seeds on first start, from the shared real-data folder.

Usage: python scripts/build_hospitals.py <shared-data-dir> [--out FILE]

Reads health/hospitals_*_eurostat_hcs.csv (Eurostat GISCO "Healthcare services in Europe": BE, NL, LU and
the DE/FR border strip) and writes src/crisislink/app/seed/hospitals.json.gz. Same input, same bytes
(sorted rows, sorted keys, gzip without a timestamp); a test rebuilds and compares when the shared folder
is beside the checkout. docs/data.md says what is kept, what is left out, and why.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src" / "crisislink" / "app" / "seed" / "hospitals.json.gz"
)
FILES = (
    "hospitals_BE_eurostat_hcs.csv",
    "hospitals_NL_eurostat_hcs.csv",
    "hospitals_LU_eurostat_hcs.csv",
    "hospitals_DE_FR_border_eurostat_hcs.csv",
)
COUNTRIES = ("BE", "NL", "LU", "DE", "FR")
DECIMALS = 5  # about 1 m, as the reference layers
SOURCE = "Eurostat GISCO, Healthcare services in Europe (github.com/eurostat/healthcare-services @ 8dd93206)"
ATTRIBUTION = (
    "Hospitals: © European Union, Eurostat GISCO (Healthcare services in Europe), from the national "
    "registers of BE (SPF Santé publique / FOD Volksgezondheid, 2020), NL (RIVM, "
    "volksgezondheidenzorg.info, 2019), LU (Ministère de la Santé, 2019), DE (Bundesministerium für "
    "Gesundheit / DKG, 2017) and FR (FINESS, 2020)"
)


def _text(value: str) -> str | None:
    stripped = " ".join(value.split())
    return stripped or None


def _date(value: str) -> str | None:
    """The register's reference date (day/month/year, two- or four-digit years) as ISO 8601."""
    value = value.strip()
    for pattern in ("%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()  # noqa: DTZ007 -- a date, no time
        except ValueError:
            continue
    return None


def _emergency(value: str) -> bool | None:
    # Only the Belgian register says whether a site has an emergency department; elsewhere it is unknown.
    return {"yes": True, "no": False}.get(value.strip().lower())


def _row(row: dict[str, str]) -> dict[str, Any]:
    """The columns shipped. Left out on purpose: street and house number, telephone, e-mail, web address,
    specialities and comments (not needed to match or rank hospitals; less to keep correct), public or
    private, and the practitioner and room counts (empty in these extracts)."""
    country = row["cc"].strip().upper()
    if country not in COUNTRIES:
        raise ValueError(f"unexpected country {country!r} for hospital {row['id']!r}")
    beds = row["cap_beds"].strip()
    return {
        "source_id": row["id"].strip(),
        "name": _text(row["hospital_name"]) or _text(row["site_name"]),
        "site": _text(row["site_name"]) if _text(row["site_name"]) != _text(row["hospital_name"]) else None,
        "lon": round(float(row["lon"]), DECIMALS),
        "lat": round(float(row["lat"]), DECIMALS),
        "city": _text(row["city"]),
        "postcode": _text(row["postcode"]),
        "country": country,
        "beds": int(beds) if beds else None,
        "emergency": _emergency(row["emergency"]),
        "kind": _text(row["facility_type"]),
        "reference_date": _date(row["ref_date"]),
    }


def read_rows(folder: Path) -> Iterable[dict[str, Any]]:
    for name in FILES:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            yield from (_row(row) for row in csv.DictReader(handle))


def with_codes(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each site a stable code, `<country>-<source id>`.

    The German extract repeats 24 ids: 17 rows are exact copies (dropped); the other sites that share an
    id (a clinic and its outpatient branch at another address) get `-2`, `-3`, ... in coordinate order.
    """
    by_id: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        same = by_id[(row["country"], row["source_id"])]
        if row not in same:
            same.append(row)
    coded = []
    for (country, source_id), sites in by_id.items():
        for index, row in enumerate(sorted(sites, key=lambda r: (r["lat"], r["lon"], r["name"]))):
            suffix = f"-{index + 1}" if index else ""
            coded.append({"code": f"{country}-{source_id}{suffix}", **row})
    return sorted(coded, key=lambda r: (COUNTRIES.index(r["country"]), r["code"]))


def encode(hospitals: Sequence[dict[str, Any]]) -> bytes:
    document = {
        "source": SOURCE,
        "attribution": ATTRIBUTION,
        "licence": "Eurostat reuse policy (Commission Decision 2011/833/EU): reuse with acknowledgement",
        "hospitals": hospitals,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("shared_data", type=Path, help="the shared real-data folder (holds health/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    folder = args.shared_data / "health"
    if not folder.is_dir():
        print(f"{args.shared_data} has no health/ folder", file=sys.stderr)
        return 2
    hospitals = with_codes(read_rows(folder))
    payload = encode(hospitals)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(payload)
    counts = {country: sum(1 for h in hospitals if h["country"] == country) for country in COUNTRIES}
    print(
        f"{len(hospitals)} hospitals ({', '.join(f'{c} {n}' for c, n in counts.items())}): {len(payload):,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
