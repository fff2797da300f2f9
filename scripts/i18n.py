"""Interface catalogues: `python -m scripts.i18n extract|update|compile` (wraps Babel's pybabel).

extract  write src/crisislink/locale/messages.pot from the code and templates
update   merge the template into the nl/fr/de catalogues (new strings arrive untranslated)
compile  build the .mo files the application loads (committed, so running needs no build step)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "crisislink" / "locale"
POT = LOCALE / "messages.pot"
LANGUAGES = ("nl", "fr", "de")
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def _run(*args: str) -> None:
    subprocess.run([PYBABEL, *args], cwd=ROOT, check=True)


def extract() -> None:
    _run(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "N_",
        "-k",
        "_",
        "-o",
        str(POT),
        "--no-location",
        "--sort-output",
        "--omit-header",
        ".",
    )


def update() -> None:
    for language in LANGUAGES:
        catalogue = LOCALE / language / "LC_MESSAGES" / "messages.po"
        if catalogue.exists():
            _run("update", "-i", str(POT), "-d", str(LOCALE), "-l", language, "--no-fuzzy-matching")
        else:
            _run("init", "-i", str(POT), "-d", str(LOCALE), "-l", language)


def compile_catalogues() -> None:
    _run("compile", "-d", str(LOCALE), "--statistics")


if __name__ == "__main__":
    actions = {"extract": extract, "update": update, "compile": compile_catalogues}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        print(__doc__)
        sys.exit(2)
    actions[sys.argv[1]]()
