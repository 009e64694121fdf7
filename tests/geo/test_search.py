"""Finding the commune a person means: postal codes, arrondissements, nicknames, typos."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.app.build import make_place_finder
from bot.app.settings import PROJECT
from bot.geo.postal import Place, PostalIndex
from bot.geo.search import PlaceFinder

DATA = PROJECT / "data"


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return make_place_finder(DATA)


def _found(finder: PlaceFinder, text: str) -> list[tuple[str, str]]:
    return [(p.postal_code, p.commune) for p in finder.search(text).places]


ARRONDISSEMENTS = [
    # Lyon 8e in every spelling.
    ("lyon 8", "69008", "Lyon 8e Arrondissement"),
    ("Lyon 8e", "69008", "Lyon 8e Arrondissement"),
    ("lyon8", "69008", "Lyon 8e Arrondissement"),
    ("lyon 8eme", "69008", "Lyon 8e Arrondissement"),
    ("Lyon 8ème", "69008", "Lyon 8e Arrondissement"),
    ("8e arrondissement de lyon", "69008", "Lyon 8e Arrondissement"),
    ("8ème arrondissement lyon", "69008", "Lyon 8e Arrondissement"),
    ("huitième arrondissement de lyon", "69008", "Lyon 8e Arrondissement"),
    ("lyon huitieme", "69008", "Lyon 8e Arrondissement"),
    ("je vis à Lyon 3", "69003", "Lyon 3e Arrondissement"),
    # Paris.
    ("Paris 19", "75019", "Paris 19e Arrondissement"),
    ("paris 19e", "75019", "Paris 19e Arrondissement"),
    ("paris19", "75019", "Paris 19e Arrondissement"),
    ("19e arrondissement de paris", "75019", "Paris 19e Arrondissement"),
    ("19eme arrondissement de paris", "75019", "Paris 19e Arrondissement"),
    ("paris 1er", "75001", "Paris 1er Arrondissement"),
    ("paris 16", "75016", "Paris 16e Arrondissement"),
    # Marseille, misspelt too.
    ("marseille 15", "13015", "Marseille 15e Arrondissement"),
    ("Marseille 15ème", "13015", "Marseille 15e Arrondissement"),
    ("marseile 13", "13013", "Marseille 13e Arrondissement"),
    ("marseille 12", "13012", "Marseille 12e Arrondissement"),
    ("marseille 4", "13004", "Marseille 4e Arrondissement"),
]


@pytest.mark.parametrize(("text", "code", "commune"), ARRONDISSEMENTS)
def test_arrondissements_in_every_spelling(
    finder: PlaceFinder, text: str, code: str, commune: str
) -> None:
    assert _found(finder, text) == [(code, commune)]


@pytest.mark.parametrize(
    "text",
    [
        "lyon 10",
        "paris 21",
        "marseille 17",
        "19e",
    ],
)
def test_an_arrondissement_that_does_not_exist_names_nothing(
    finder: PlaceFinder, text: str
) -> None:
    assert _found(finder, text) == []


@pytest.mark.parametrize(("city", "count"), [("lyon", 9), ("paris", 10), ("marseille", 10)])
def test_a_big_city_alone_offers_its_arrondissements(
    finder: PlaceFinder, city: str, count: int
) -> None:
    found = finder.search(city).places
    assert len(found) == count
    assert all(p.commune.endswith(" Arrondissement") for p in found)


def test_a_big_city_lists_its_arrondissements_in_order_with_their_own_codes(
    finder: PlaceFinder,
) -> None:
    found = finder.search("marseille").places
    numbers = [int("".join(c for c in p.commune.split()[1] if c.isdigit())) for p in found]
    assert numbers == sorted(numbers)
    assert all(p.postal_code.endswith(f"{n:02d}") for p, n in zip(found, numbers, strict=True))


@pytest.mark.parametrize(
    ("text", "code", "commune"),
    [
        ("vaulx", "69120", "Vaulx-en-Velin"),
        ("le mirail", "31100", "Toulouse"),
        ("la duchère", "69009", "Lyon 9e Arrondissement"),
        ("les minguettes", "69200", "Vénissieux"),
        ("barbès", "75018", "Paris 18e Arrondissement"),
        ("j'habite à la guillotière", "69007", "Lyon 7e Arrondissement"),
        ("villeurb", "69100", "Villeurbanne"),
        ("wazemmes", "59000", "Lille"),
    ],
)
def test_nicknames_and_neighbourhoods(
    finder: PlaceFinder, text: str, code: str, commune: str
) -> None:
    assert _found(finder, text) == [(code, commune)]


@pytest.mark.parametrize(
    ("text", "commune"),
    [
        ("toulouze", "Toulouse"),
        ("bordeau", "Bordeaux"),
        ("vilerbane", "Villeurbanne"),
        ("lile", "Lille"),
        ("roubais", "Roubaix"),
        ("vaux en velin", "Vaulx-en-Velin"),  # not the commune of Vaux
        ("oullins", "Oullins-Pierre-Bénite"),  # the start of one name
        ("brive", "Brive-la-Gaillarde"),
        ("Saint-Denis-lès-Bourg", "Saint-Denis-lès-Bourg"),
        ("saint denis les bourg", "Saint-Denis-lès-Bourg"),
    ],
)
def test_typos_and_short_names(finder: PlaceFinder, text: str, commune: str) -> None:
    assert [c for _, c in _found(finder, text)] == [commune]


@pytest.mark.parametrize(
    ("text", "code", "commune"),
    [
        ("13013", "13013", "Marseille 13e Arrondissement"),  # shared with the 12e and 14e
        ("13016", "13016", "Marseille 16e Arrondissement"),  # shared with the 15e
        ("13005", "13005", "Marseille 5e Arrondissement"),  # shared with the 4e
        ("75116", "75116", "Paris 16e Arrondissement"),
        ("59000", "59000", "Lille"),
        ("69 100", "69100", "Villeurbanne"),
        ("mon code postal c'est 93200", "93200", "Saint-Denis"),
    ],
)
def test_a_postal_code_shared_by_districts_names_its_own(
    finder: PlaceFinder, text: str, code: str, commune: str
) -> None:
    search = finder.search(text)
    assert search.by_code
    assert [(p.postal_code, p.commune) for p in search.places] == [(code, commune)]


def test_a_postal_code_shared_by_communes_offers_them_all(finder: PlaceFinder) -> None:
    assert _found(finder, "01000") == [
        ("01000", "Bourg-en-Bresse"),
        ("01000", "Saint-Denis-lès-Bourg"),
    ]


def test_a_postal_code_and_a_name_that_disagree_offer_both(finder: PlaceFinder) -> None:
    assert _found(finder, "69120 villeurbanne") == [
        ("69120", "Vaulx-en-Velin"),
        ("69100", "Villeurbanne"),
    ]


def test_an_unknown_postal_code_is_still_a_postal_code(finder: PlaceFinder) -> None:
    search = finder.search("99999")
    assert search.by_code and search.places == () and search.said == "99999"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("saint denis", ["11310", "30500", "93200", "97400"]),
        ("saint-denis 93", ["93200"]),
        ("st denis 93", ["93200"]),
        ("saint denis la réunion", ["97400"]),
        ("saint denis 974", ["97400"]),
        ("montreuil", ["28500", "85200", "93100"]),
        ("montreuil 93", ["93100"]),
        ("clichy", ["92110", "93390"]),  # a nickname listing both
        ("clichy 93", ["93390"]),  # Clichy is in the 92: the longer name of the 93
    ],
)
def test_a_department_next_to_the_name_narrows_it(
    finder: PlaceFinder, text: str, found: list[str]
) -> None:
    assert [code for code, _ in _found(finder, text)] == found


def test_the_big_town_comes_first_among_names(finder: PlaceFinder) -> None:
    assert _found(finder, "moulins lille") == [("59000", "Lille")]


@pytest.mark.parametrize("text", ["zorglub", "", "   ", "je sais pas", "pizza"])
def test_what_names_no_place(finder: PlaceFinder, text: str) -> None:
    assert finder.search(text).places == ()


def test_what_was_read_is_said_back(finder: PlaceFinder) -> None:
    assert finder.search("j'habite à Zorglub").said == "zorglub"


def test_a_finder_on_a_small_table_with_nicknames() -> None:
    index = PostalIndex(
        [
            Place("59100", "59512", "Roubaix"),
            Place("93200", "93066", "Saint-Denis"),
            Place("97400", "97411", "Saint-Denis"),
        ]
    )
    finder = PlaceFinder(index, {"Le Neuf-Trois": "93200|93066", "le barachois": "97400"})
    assert [p.postal_code for p in finder.search("saint denis").places] == ["93200", "97400"]
    assert [p.postal_code for p in finder.search("le neuf trois").places] == ["93200"]
    assert [p.postal_code for p in finder.search("Le Barachois").places] == ["97400"]
    assert [p.commune for p in finder.search("roubaix").places] == ["Roubaix"]


# ---------------------------------------------------------------- the nicknames file
def _aliases() -> dict[str, list[str]]:
    data = yaml.safe_load((DATA / "place_aliases.yml").read_text(encoding="utf-8"))
    return {
        str(name): [str(t) for t in (target if isinstance(target, list) else [target])]
        for name, target in data["aliases"].items()
    }


def _communes_by_code(path: Path) -> dict[str, set[str]]:
    communes: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            communes[row["postal_code"]].add(row["insee"])
    return communes


ALIASES = _aliases()


def test_every_nickname_names_one_commune_of_the_postal_table() -> None:
    communes = _communes_by_code(DATA / "postal_codes.csv")
    wrong = []
    for name, targets in ALIASES.items():
        for target in targets:
            code, _, insee = target.partition("|")
            if code not in communes:
                wrong.append(f"{name}: {code} is no postal code")
            elif insee and insee not in communes[code]:
                wrong.append(f"{name}: no commune {insee} at {code}")
            elif not insee and len(communes[code]) != 1:
                wrong.append(f"{name}: {code} is shared, write code|INSEE")
    assert not wrong, wrong
    assert len(ALIASES) > 100


@pytest.mark.parametrize(
    "name",
    list(ALIASES),
)
def test_every_nickname_finds_its_communes(finder: PlaceFinder, name: str) -> None:
    wanted = set()
    for target in ALIASES[name]:
        code, _, insee = target.partition("|")
        wanted |= {p.insee for p in finder.index.by_code(code) if not insee or p.insee == insee}
    found = finder.search(name).places
    assert {p.insee for p in found} == wanted, [(p.postal_code, p.commune) for p in found]
