"""EU civil-protection modules (UCPM) and other response capacities, with the usual ERCC abbreviations.

From DOMAIN.md §2.3: the original 13 modules are verified (2008 rules, carried into 2014/762 and
2025/704); the abbreviations of the modules added later, the EMT classes and the support teams are from
general knowledge and flagged `verified=False`. The capability code is `ucpm.` + the abbreviation in
lower case (e.g. `ucpm.hcp`), and never changes even if the spelling of an abbreviation is corrected.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleSpec:
    abbreviation: str
    name: str
    verified: bool = True


UCPM_MODULES = (
    ModuleSpec("HCP", "High-capacity pumping"),
    ModuleSpec("WP", "Water purification"),
    ModuleSpec("MUSAR", "Medium urban search and rescue"),
    ModuleSpec("HUSAR", "Heavy urban search and rescue"),
    ModuleSpec("FFFH", "Aerial forest firefighting using helicopters"),
    ModuleSpec("FFFP", "Aerial forest firefighting using planes"),
    ModuleSpec("AMP", "Advanced medical post"),
    ModuleSpec("AMP_S", "Advanced medical post with surgery"),
    ModuleSpec("FHOS", "Field hospital"),
    ModuleSpec("MEVAC", "Medical aerial evacuation of disaster victims"),
    ModuleSpec("ETS", "Emergency temporary shelter"),
    ModuleSpec("CBRNDET", "CBRN detection and sampling"),
    ModuleSpec("CBRNUSAR", "Search and rescue in CBRN conditions"),
    ModuleSpec("GFFF", "Ground forest firefighting", verified=False),
    ModuleSpec("GFFF_V", "Ground forest firefighting using vehicles", verified=False),
    ModuleSpec("FC", "Flood containment", verified=False),
    ModuleSpec("FRB", "Flood rescue using boats", verified=False),
    ModuleSpec("EMT1_FIXED", "Emergency medical team type 1, fixed", verified=False),
    ModuleSpec("EMT1_MOBILE", "Emergency medical team type 1, mobile", verified=False),
    ModuleSpec("EMT2", "Emergency medical team type 2", verified=False),
    ModuleSpec("EMT3", "Emergency medical team type 3", verified=False),
    ModuleSpec("TAST", "Technical assistance and support team", verified=False),
    ModuleSpec("EUCP_TEAM", "EU civil-protection team of experts", verified=False),
    ModuleSpec("OTHER", "Other response capacity", verified=False),
)
