"""French regions by department code (2016 map), for territories written as regions."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, ...]] = {
    "auvergne_rhone_alpes": (
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
    ),
    "bourgogne_franche_comte": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "bretagne": ("22", "29", "35", "56"),
    "centre_val_de_loire": ("18", "28", "36", "37", "41", "45"),
    "corse": ("2A", "2B"),
    "grand_est": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "hauts_de_france": ("02", "59", "60", "62", "80"),
    "ile_de_france": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "normandie": ("14", "27", "50", "61", "76"),
    "nouvelle_aquitaine": (
        "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
    ),
    "occitanie": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "pays_de_la_loire": ("44", "49", "53", "72", "85"),
    "provence_alpes_cote_d_azur": ("04", "05", "06", "13", "83", "84"),
    "guadeloupe": ("971",),
    "martinique": ("972",),
    "guyane": ("973",),
    "la_reunion": ("974",),
    "mayotte": ("976",),
}  # fmt: skip

REGION_OF: dict[str, str] = {dept: region for region, depts in REGIONS.items() for dept in depts}
