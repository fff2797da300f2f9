"""Ready-made warning texts per hazard, in the network's languages, with placeholders to fill in.

Wording follows the style of the national systems: a short headline saying what and where, one or two
sentences on what is happening, then what to do in short imperatives (NL-Alert: "Ga naar binnen. Sluit
ramen en deuren. Zet ventilatie uit."). Placeholders are `{name}`; a value is inserted as written, never
read as a placeholder itself. The Luxembourgish texts await review by a native speaker (docs/warnings.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from crisislink.domains.warnings.codes import Category, ResponseType
from crisislink.domains.warnings.values import MAX_SHORT, WarningText, language_name
from crisislink.kernel.errors import InvalidInput

PLACEHOLDERS = frozenset({"area", "site", "onset", "expires"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# The Benelux share one civil time; a time in a warning is read by people there, on their clock.
_LOCAL_ZONE = "Europe/Brussels"
_TIME_FORMATS = {
    "nl": "%d-%m-%Y %H:%M",
    "fr": "%d/%m/%Y %H:%M",
    "de": "%d.%m.%Y %H:%M",
    "lb": "%d.%m.%Y %H:%M",
    "en": "%d/%m/%Y %H:%M",
}


def placeholders_in(text: str) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class TemplateText:
    headline: str
    description: str
    instruction: str

    def __post_init__(self) -> None:
        unknown = self.placeholders() - PLACEHOLDERS
        if unknown:
            raise InvalidInput(
                f"unknown placeholder(s) {_braced(unknown)} in a template; use {_braced(PLACEHOLDERS)}"
            )

    def placeholders(self) -> frozenset[str]:
        return placeholders_in(self.headline + self.description + self.instruction)


@dataclass(frozen=True)
class Template:
    key: str
    hazards: tuple[str, ...]  # hazard codes or families ("flood" serves flood.river, flood.flash...)
    category: Category
    awareness_type: int | None
    response_types: tuple[ResponseType, ...]
    texts: tuple[tuple[str, TemplateText], ...]

    def languages(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.texts)

    def text(self, language: str) -> TemplateText:
        for code, text in self.texts:
            if code == language:
                return text
        raise InvalidInput(
            f"the {self.key} template has no {language_name(language)} text; write that language yourself"
        )

    def placeholders(self) -> frozenset[str]:
        return frozenset().union(*(text.placeholders() for _, text in self.texts))

    def render(self, language: str, values: Mapping[str, str]) -> WarningText:
        text = self.text(language)
        unknown = set(values) - self.placeholders()
        if unknown:
            raise InvalidInput(
                f"the {self.key} template has no placeholder {_braced(unknown)}; "
                f"it has {_braced(self.placeholders())}"
            )
        return WarningText(
            headline=render(text.headline, values),
            description=render(text.description, values),
            instruction=render(text.instruction, values),
        )


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders in one pass; a missing or empty value is refused, not left as braces."""
    for name in placeholders_in(text):
        if name not in PLACEHOLDERS:
            raise InvalidInput(f"unknown placeholder {{{name}}}; use {_braced(PLACEHOLDERS)}")
        if not values.get(name, "").strip():
            raise InvalidInput(f"fill in {{{name}}} before using this template")
        if len(values[name]) > MAX_SHORT:
            raise InvalidInput(f"the value for {{{name}}} is longer than {MAX_SHORT} characters")
    return _PLACEHOLDER.sub(lambda found: values[found[1]].strip(), text)


def local_time(moment: datetime, language: str) -> str:
    """A time as the public reads it in a warning: local civil time, in the language's usual form."""
    local = moment.astimezone(ZoneInfo(_LOCAL_ZONE))
    return local.strftime(_TIME_FORMATS.get(language, _TIME_FORMATS["en"]))


def _braced(names: frozenset[str] | set[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names))


_FLOOD = Template(
    key="flood",
    hazards=("flood",),
    category=Category.MET,
    awareness_type=12,
    response_types=(ResponseType.PREPARE, ResponseType.AVOID),
    texts=(
        ("nl", TemplateText(
            "Hoog water in {area}",
            "Het water stijgt snel. Vanaf {onset} kunnen straten en huizen in {area} onder water lopen.",
            "Blijf uit de buurt van de rivier en de oevers. Ga naar een hogere verdieping. Loop en rijd "
            "niet door het water. Volg de aanwijzingen van de hulpdiensten.",
        )),
        ("fr", TemplateText(
            "Inondation à {area}",
            "Le niveau de l'eau monte rapidement. À partir du {onset}, des rues et des maisons peuvent "
            "être inondées à {area}.",
            "Éloignez-vous de la rivière et des berges. Montez à l'étage. Ne traversez pas l'eau, ni à pied "
            "ni en voiture. Suivez les consignes des services de secours.",
        )),
        ("de", TemplateText(
            "Hochwasser in {area}",
            "Der Wasserstand steigt schnell. Ab {onset} können Straßen und Häuser in {area} überflutet werden.",
            "Halten Sie sich vom Fluss und vom Ufer fern. Gehen Sie in ein höheres Stockwerk. Gehen und "
            "fahren Sie nicht durch das Wasser. Folgen Sie den Anweisungen der Einsatzkräfte.",
        )),
        ("en", TemplateText(
            "Flooding in {area}",
            "Water levels are rising fast. From {onset}, streets and homes in {area} may flood.",
            "Stay away from the river and its banks. Move to a higher floor. Do not walk or drive through "
            "water. Follow the instructions of the emergency services.",
        )),
        ("lb", TemplateText(
            "Héichwaasser zu {area}",
            "D'Waasser klëmmt séier. Vun {onset} u kënnen zu {area} Stroossen an Haiser ënner Waasser stoen.",
            "Bleift ewech vum Floss a vum Ufer. Gitt an den ieweschte Stack. Gitt a fuert net duerch "
            "d'Waasser. Follegt den Uweisunge vun de Rettungsdéngschter.",
        )),
    ),
)  # fmt: skip

_STORM = Template(
    key="storm",
    hazards=("storm",),
    category=Category.MET,
    awareness_type=1,
    response_types=(ResponseType.SHELTER, ResponseType.AVOID),
    texts=(
        ("nl", TemplateText(
            "Zware storm in {area}",
            "Van {onset} tot {expires} zware windstoten in {area}. Bomen kunnen omvallen en dakpannen loskomen.",
            "Blijf binnen. Zet losse spullen vast of haal ze naar binnen. Vermijd bossen, parken en wegen "
            "met bomen. Ga alleen de weg op als het echt nodig is.",
        )),
        ("fr", TemplateText(
            "Tempête violente à {area}",
            "Du {onset} au {expires}, fortes rafales de vent à {area}. Des arbres peuvent tomber et des "
            "tuiles se détacher.",
            "Restez à l'intérieur. Fixez ou rentrez les objets qui peuvent s'envoler. Évitez les bois, les "
            "parcs et les routes bordées d'arbres. Ne vous déplacez qu'en cas de nécessité.",
        )),
        ("de", TemplateText(
            "Schwerer Sturm in {area}",
            "Von {onset} bis {expires} schwere Sturmböen in {area}. Bäume können umstürzen und Dachziegel "
            "sich lösen.",
            "Bleiben Sie im Haus. Sichern Sie lose Gegenstände oder bringen Sie sie hinein. Meiden Sie "
            "Wälder, Parks und Alleen. Fahren Sie nur, wenn es unbedingt nötig ist.",
        )),
        ("en", TemplateText(
            "Severe storm in {area}",
            "From {onset} to {expires}, severe gusts in {area}. Trees may fall and roof tiles come loose.",
            "Stay indoors. Secure or bring in loose objects. Avoid woods, parks and tree-lined roads. "
            "Travel only if you must.",
        )),
    ),
)  # fmt: skip

_CHEMICAL = Template(
    key="chemical",
    hazards=("chemical", "transport.rail_hazmat"),
    category=Category.CBRNE,
    awareness_type=None,
    response_types=(ResponseType.SHELTER,),
    texts=(
        ("nl", TemplateText(
            "Gevaarlijke stoffen vrijgekomen bij {site}",
            "Bij {site} zijn gevaarlijke stoffen vrijgekomen. De lucht in {area} kan schadelijk zijn.",
            "Ga naar binnen. Sluit ramen en deuren. Zet ventilatie en airconditioning uit. Vermijd het "
            "gebied. Volg de aanwijzingen van de hulpdiensten.",
        )),
        ("fr", TemplateText(
            "Substances dangereuses près de {site}",
            "Des substances dangereuses se sont échappées près de {site}. L'air peut être nocif à {area}.",
            "Restez à l'intérieur. Fermez portes et fenêtres. Coupez la ventilation et la climatisation. "
            "Évitez la zone. Suivez les consignes des services de secours.",
        )),
        ("de", TemplateText(
            "Gefährliche Stoffe bei {site} ausgetreten",
            "Bei {site} sind gefährliche Stoffe ausgetreten. Die Luft in {area} kann gesundheitsschädlich sein.",
            "Gehen Sie in ein Gebäude. Schließen Sie Fenster und Türen. Schalten Sie Lüftung und "
            "Klimaanlage aus. Meiden Sie das Gebiet. Folgen Sie den Anweisungen der Einsatzkräfte.",
        )),
        ("en", TemplateText(
            "Hazardous substances released near {site}",
            "Hazardous substances have been released near {site}. The air in {area} may be harmful.",
            "Go indoors. Close windows and doors. Switch off ventilation and air conditioning. Avoid the "
            "area. Follow the instructions of the emergency services.",
        )),
    ),
)  # fmt: skip

_SMOKE = Template(
    key="smoke",
    hazards=("chemical.fire", "fire.industrial"),
    category=Category.FIRE,
    awareness_type=None,
    response_types=(ResponseType.SHELTER, ResponseType.AVOID),
    texts=(
        ("nl", TemplateText(
            "Grote brand met veel rook bij {site}",
            "Bij {site} is een grote brand. De rook trekt over {area} en kan schadelijke stoffen bevatten.",
            "Ga naar binnen. Sluit ramen en deuren. Zet ventilatie uit. Vermijd de rook. Volg de "
            "aanwijzingen van de hulpdiensten.",
        )),
        ("fr", TemplateText(
            "Incendie important avec fumée près de {site}",
            "Un incendie important est en cours près de {site}. La fumée se dirige vers {area} et peut "
            "contenir des substances nocives.",
            "Restez à l'intérieur. Fermez portes et fenêtres. Coupez la ventilation. Évitez la fumée. "
            "Suivez les consignes des services de secours.",
        )),
        ("de", TemplateText(
            "Großbrand mit starker Rauchentwicklung bei {site}",
            "Bei {site} brennt es. Der Rauch zieht über {area} und kann Schadstoffe enthalten.",
            "Gehen Sie in ein Gebäude. Schließen Sie Fenster und Türen. Schalten Sie die Lüftung aus. "
            "Meiden Sie den Rauch. Folgen Sie den Anweisungen der Einsatzkräfte.",
        )),
        ("en", TemplateText(
            "Major fire with heavy smoke near {site}",
            "A major fire is burning near {site}. The smoke is drifting over {area} and may contain "
            "harmful substances.",
            "Go indoors. Close windows and doors. Switch off ventilation. Avoid the smoke. Follow the "
            "instructions of the emergency services.",
        )),
    ),
)  # fmt: skip

_HEAT = Template(
    key="heat",
    hazards=("weather.heat",),
    category=Category.MET,
    awareness_type=5,
    response_types=(ResponseType.PREPARE,),
    texts=(
        ("nl", TemplateText(
            "Extreme hitte in {area}",
            "Van {onset} tot {expires} wordt het zeer warm in {area}.",
            "Drink voldoende water. Blijf tussen 12 en 16 uur uit de zon. Houd uw woning koel. Let op "
            "ouderen, kinderen en zieken in uw omgeving.",
        )),
        ("fr", TemplateText(
            "Chaleur extrême à {area}",
            "Du {onset} au {expires}, très fortes chaleurs à {area}.",
            "Buvez beaucoup d'eau. Évitez le soleil entre 12 et 16 heures. Gardez votre logement au frais. "
            "Veillez sur les personnes âgées, les enfants et les malades.",
        )),
        ("de", TemplateText(
            "Extreme Hitze in {area}",
            "Von {onset} bis {expires} wird es in {area} sehr heiß.",
            "Trinken Sie ausreichend Wasser. Meiden Sie die Sonne zwischen 12 und 16 Uhr. Halten Sie Ihre "
            "Wohnung kühl. Achten Sie auf ältere Menschen, Kinder und Kranke.",
        )),
        ("en", TemplateText(
            "Extreme heat in {area}",
            "From {onset} to {expires}, very high temperatures in {area}.",
            "Drink plenty of water. Stay out of the sun between 12:00 and 16:00. Keep your home cool. "
            "Look after older people, children and the sick.",
        )),
    ),
)  # fmt: skip

_POWER = Template(
    key="power",
    hazards=("infrastructure.power",),
    category=Category.INFRA,
    awareness_type=None,
    response_types=(ResponseType.PREPARE, ResponseType.MONITOR),
    texts=(
        ("nl", TemplateText(
            "Stroomstoring in {area}",
            "Sinds {onset} is er geen stroom in {area}. Het kan lang duren voordat de stroom terug is.",
            "Bel alleen als het nodig is; bel 112 alleen bij levensgevaar. Help buren die hulp nodig "
            "hebben. Gebruik binnen geen aggregaat of barbecue.",
        )),
        ("fr", TemplateText(
            "Panne d'électricité à {area}",
            "Depuis le {onset}, il n'y a plus d'électricité à {area}. Le retour du courant peut prendre du temps.",
            "Ne téléphonez qu'en cas de nécessité ; appelez le 112 uniquement en cas de danger de mort. "
            "Aidez vos voisins qui en ont besoin. N'utilisez ni groupe électrogène ni barbecue à l'intérieur.",
        )),
        ("de", TemplateText(
            "Stromausfall in {area}",
            "Seit {onset} ist in {area} der Strom ausgefallen. Es kann lange dauern, bis er wieder da ist.",
            "Telefonieren Sie nur, wenn es nötig ist; rufen Sie 112 nur bei Lebensgefahr an. Helfen Sie "
            "Nachbarn, die Hilfe brauchen. Benutzen Sie in Innenräumen keinen Generator und keinen Grill.",
        )),
        ("en", TemplateText(
            "Power cut in {area}",
            "Since {onset} there has been no electricity in {area}. It may take a long time to restore.",
            "Use your phone only when you must; call 112 only if a life is in danger. Help neighbours who "
            "need it. Do not use a generator or barbecue indoors.",
        )),
    ),
)  # fmt: skip

TEMPLATES = MappingProxyType(
    {template.key: template for template in (_FLOOD, _STORM, _CHEMICAL, _SMOKE, _HEAT, _POWER)}
)


def template_for(hazard_code: str) -> Template:
    """The template for a hazard: one naming its exact code first, then one for its family."""
    family = hazard_code.split(".", 1)[0]
    for wanted in (hazard_code, family):
        for template in TEMPLATES.values():
            if wanted in template.hazards:
                return template
    raise InvalidInput(
        f"there is no template for {hazard_code!r}; templates exist for "
        f"{', '.join(h for t in TEMPLATES.values() for h in t.hazards)}; write the texts yourself"
    )
