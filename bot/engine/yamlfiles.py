"""Reading coordinators' YAML files, with every mistake located and said in French."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a flow file, located for a coordinator."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.message}"


class FlowError(Exception):
    """Raised when flow files cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_FIELD_NAMES = {
    "flow": "flow (le nom du script)",
    "steps": "steps (les étapes)",
    "ask": "ask (la question)",
    "slot": "slot (où ranger la réponse)",
    "options": "options (les boutons)",
}


def _field(name: object) -> str:
    return _FIELD_NAMES.get(str(name), str(name))


def french(error: Mapping[str, Any]) -> str:
    """Translate one pydantic error into plain French."""
    kind = str(error.get("type", ""))
    loc = error.get("loc", ())
    name = _field(loc[-1]) if loc else "?"
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"il manque le champ « {name} »"
    if kind == "extra_forbidden":
        return f"le champ « {name} » n'existe pas (faute de frappe ?)"
    if kind == "step_kind":
        return (
            "cette étape n'a pas de type connu : il faut un de say, ask, branch, set, "
            "goto, call, action, consent, end"
        )
    if kind == "string_pattern_mismatch":
        return (
            f"« {error.get('input')} » n'est pas un nom valide pour « {name} » : lettres "
            "minuscules sans accent, chiffres et _ seulement"
        )
    if kind == "string_too_long":
        return f"« {name} » est trop long ({ctx.get('max_length')} caractères au plus)"
    if kind == "string_too_short":
        return f"« {name} » est vide"
    if kind in ("too_short", "too_long"):
        return f"« {name} » n'a pas le bon nombre d'éléments ({error.get('msg')})"
    if kind == "literal_error":
        return f"« {name} » doit valoir {ctx.get('expected')}"
    if kind in ("string_type", "int_type", "bool_type", "dict_type", "list_type", "model_type"):
        wanted = {
            "string_type": "un texte",
            "int_type": "un nombre entier",
            "bool_type": "true ou false",
            "dict_type": "une liste de champs",
            "list_type": "une liste (lignes commençant par -)",
            "model_type": "une liste de champs",
        }[kind]
        return f"« {name} » doit être {wanted}"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return f"« {name} » : {error.get('msg')}"


def line_in(
    node: Any, path: Iterable[Any], *, skip_unknown: bool = False, fallback: bool = True
) -> int | None:
    """1-based line of the deepest key or item of ``path`` found in a ruamel document.

    With ``skip_unknown``, a part of ``path`` missing from the file is stepped over
    instead of ending the walk (pydantic locations hold names the file does not); with
    ``fallback``, a path not found at all gives the line of the node reached.
    """
    line: int | None = None
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        elif not skip_unknown:
            break
    if line is None and fallback and isinstance(node, (CommentedMap, CommentedSeq)):
        line = node.lc.line + 1
    return line


def line_of(node: Any, loc: Iterable[Any]) -> int | None:
    """Find the 1-based line of a pydantic error location inside a ruamel document."""
    loc = list(loc)
    if len(loc) > 2 and loc[0] == "steps":
        del loc[2]  # the step-kind tag pydantic adds ("say", "choice"...) is not in the file
    return line_in(node, loc, skip_unknown=True)


def read_yaml(path: Path) -> tuple[Any, bytes]:
    raw = path.read_bytes()
    yaml = YAML(typ="rt")
    try:
        return yaml.load(raw.decode("utf-8")), raw
    except UnicodeDecodeError as exc:
        raise FlowError([Problem(path.name, None, "le fichier n'est pas en UTF-8")]) from exc
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FlowError([Problem(path.name, line, f"YAML mal formé ({exc.problem})")]) from exc


AnyModel = TypeVar("AnyModel", bound=BaseModel)


def load_yaml_model(
    model: type[AnyModel], path: Path, name: str | None = None
) -> tuple[AnyModel, CommentedMap]:
    """Read any coordinators' YAML file (tests, word lists) into ``model``, in French.

    Raises :class:`FlowError` naming ``name`` (default: the file's name) and the line.
    """
    name = name or path.name
    try:
        data, _ = read_yaml(path)
    except FlowError as exc:
        raise FlowError([Problem(name, p.line, p.message) for p in exc.problems]) from exc
    if not isinstance(data, CommentedMap):
        raise FlowError([Problem(name, 1, "le fichier doit contenir des champs (clé: valeur)")])
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        problems = [Problem(name, line_of(data, err["loc"]), french(err)) for err in exc.errors()]
        raise FlowError(problems) from exc
