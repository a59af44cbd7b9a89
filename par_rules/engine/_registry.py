"""Finding methodologies: files, versions, the version in force for a year, and loading.

Methodologies live in a folder tree whose path is their id::

    methodologies/vn/moha/par-index/province/2020.yaml        id vn/moha/par-index/province
    methodologies/vn/moha/par-index/province/2020.tests.yaml  its tests

The shipped tree is part of the installed package (``par_rules/methodologies``); in a source
checkout it is the repository's ``methodologies/`` folder.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._compile import compile_methodology
from ..errors import MethodologyError, MethodologyNotFound, Problem
from ._extends import merge
from .._places import SourceMap
from ._load import read_yaml_file
from ._model import Methodology
from ._validate import check_schema, schema

__all__ = ["shipped_root", "VersionInfo", "versions", "all_versions", "find", "load_file", "source_files"]

TESTS_SUFFIX = ".tests.yaml"


def shipped_root() -> Path:
    """The folder of the methodologies shipped with par_rules."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "methodologies"
    return installed if installed.is_dir() else package.parent / "methodologies"


@dataclass(frozen=True)
class VersionInfo:
    """One methodology file: its id, version, years and path."""

    id: str
    version: str
    years: tuple[int, ...]
    path: Path


def _is_methodology_file(path: Path) -> bool:
    return path.suffix == ".yaml" and not path.name.endswith(TESTS_SUFFIX)


def _pattern(name: str) -> re.Pattern[str]:
    """The schema's pattern of a kind of name ("methodology_id", "version"), searched as jsonschema does."""
    return re.compile(schema()["$defs"][name]["pattern"])


def _inside(path: Path, root: Path) -> bool:
    """Whether a path, its symlinks followed, is a file within root (itself resolved)."""
    return path.resolve().is_relative_to(root.resolve())


def _check_id(methodology_id: str) -> None:
    if not _pattern("methodology_id").search(methodology_id):
        raise MethodologyNotFound(f"{methodology_id!r} is not a methodology id: ids are folder names such as vn/moha/par-index/province")


_headers: dict[Path, tuple[tuple[Path, int, int], VersionInfo | None]] = {}


def _header(path: Path) -> VersionInfo | None:
    """The id, version and years of a file (read once while the file does not change)."""
    try:
        stamp = _stamp(path)
    except OSError:
        return None
    cached = _headers.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    info = _read_header(path)
    _headers[path] = (stamp, info)
    return info


def _read_header(path: Path) -> VersionInfo | None:
    try:
        data, _ = read_yaml_file(path)
    except MethodologyError:
        return None
    years = data.get("years")
    if not isinstance(years, list):
        return None
    return VersionInfo(str(data.get("id")), str(data.get("version")), tuple(int(y) for y in years if isinstance(y, (int,)) or str(y).isdigit()), path)


def versions(methodology_id: str, root: str | os.PathLike[str] | None = None) -> list[VersionInfo]:
    """Every version of a methodology found under ``root`` (default: the shipped tree).

    The id is a path under ``root`` only once it matches the id pattern (no ``..``, no absolute
    path), and files whose symlinks lead out of ``root`` are not read.
    """
    _check_id(methodology_id)
    base = Path(root or shipped_root())
    folder = base / methodology_id
    if not folder.is_dir() or not _inside(folder, base):
        return []
    found = [_header(path) for path in sorted(folder.iterdir()) if path.is_file() and _is_methodology_file(path) and _inside(path, base)]
    return sorted((info for info in found if info is not None), key=lambda info: (min(info.years, default=0), info.version))


def all_versions(root: str | Path | None = None) -> list[VersionInfo]:
    """Every methodology file under ``root`` (default: the shipped tree), by id then year."""
    base = Path(root or shipped_root())
    found = [_header(path) for path in sorted(base.rglob("*.yaml")) if _is_methodology_file(path) and _inside(path, base)]
    return sorted((info for info in found if info is not None), key=lambda info: (info.id, min(info.years, default=0), info.version))


def find(methodology_id: str, *, year: int | None = None, version: str | None = None, root: str | os.PathLike[str] | None = None) -> Path:
    """The file of a methodology version, named or in force for an assessment year."""
    known = versions(methodology_id, root)
    if not known:
        raise MethodologyNotFound(f"no methodology with id {methodology_id!r} under {Path(root or shipped_root())}")
    if version is not None:
        for info in known:
            if info.version == str(version):
                return info.path
        listed = ", ".join(info.version for info in known)
        raise MethodologyNotFound(f"{methodology_id} has no version {version!r} (versions: {listed})")
    if year is None:
        return known[-1].path
    matches = [info for info in known if year in info.years]
    if not matches:
        covered = sorted({y for info in known for y in info.years})
        raise MethodologyNotFound(f"no version of {methodology_id} applies to {year}; years covered: {', '.join(map(str, covered))}")
    if len(matches) > 1:
        names = ", ".join(info.version for info in matches)
        raise MethodologyNotFound(f"several versions of {methodology_id} claim {year} ({names}): name one with version=")
    return matches[0].path


# Compiled methodologies by file, kept while none of their files change.
_cache: dict[Path, tuple[tuple[tuple[Path, int, int], ...], Methodology]] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path) -> tuple[Path, int, int]:
    status = path.stat()
    return path, status.st_mtime_ns, status.st_size


def load_file(path: str | os.PathLike[str]) -> Methodology:
    """Load, check and compile one methodology file (and the versions it extends)."""
    path = Path(path).resolve()
    with _cache_lock:
        cached = _cache.get(path)
    if cached is not None:
        try:
            if all(_stamp(stamp[0]) == stamp for stamp in cached[0]):
                return cached[1]
        except OSError:
            pass
    chain: list[Path] = []
    data, where = _resolve(path, chain)
    methodology = compile_methodology(data, where, _display(path))
    try:
        stamps = tuple(_stamp(p) for p in chain)
    except OSError:
        return methodology
    with _cache_lock:
        _cache[path] = (stamps, methodology)
    return methodology


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)


def _resolve(path: Path, chain: list[Path]) -> tuple[dict[str, Any], SourceMap]:
    """A file's data with its ``extends`` chain merged in, checked against the schema."""
    if path in chain:
        cycle = " → ".join(p.name for p in chain + [path])
        raise MethodologyError([Problem(f"'extends' goes round in a circle: {cycle}", file=_display(path))])
    chain.append(path)
    name = _display(path)
    data, where = read_yaml_file(path, name)
    problems = check_schema(data, where)
    if problems:
        raise MethodologyError(problems)
    version_problems = _check_versions(data, where)
    problems = version_problems + _check_place(path, data, name)
    if "extends" not in data:
        if problems:
            raise MethodologyError(problems)
        return data, where
    if version_problems:  # a version that is not a file name is not looked for
        raise MethodologyError(problems)
    target = data["extends"]
    parent_id = target.get("id", data["id"])
    parent_file = parent_path(path, data["id"], parent_id, str(target["version"]))
    if parent_file is None:
        problems.append(where.locate(data, "extends").problem(f"extends {parent_id}@{target['version']}: no such file ({parent_id}/{target['version']}.yaml in the methodology folders)"))
        raise MethodologyError(problems)
    parent_data, parent_where = _resolve(parent_file, chain)
    where.update(parent_where)
    merged, change_problems = merge(parent_data, data, where)
    problems += change_problems
    if problems:
        raise MethodologyError(problems)
    return merged, where


def _check_versions(data: dict[str, Any], where: SourceMap) -> list[Problem]:
    """A version written as a number must still read as a version: the schema's pattern checks only texts."""
    places = [(data, "version"), (data.get("extends") or {}, "version"), ((data.get("lineage") or {}).get("from") or {}, "version")]
    pattern, problems = _pattern("version"), []
    for container, key in places:
        value = container.get(key)
        if value is not None and not isinstance(value, str) and not pattern.search(str(value)):
            problems.append(where.locate(container, key).problem(f"the number {value} is not a valid version (pattern {pattern.pattern}): write the version in quotes"))
    return problems


def _check_place(path: Path, data: dict[str, Any], name: str) -> list[Problem]:
    """A file in a methodology tree must sit at <id>/<version>.yaml."""
    problems = []
    if path.stem != str(data["version"]):
        problems.append(Problem(f"the file of version {data['version']} must be named {data['version']}.yaml", file=name, line=1, column=1))
    parts = data["id"].split("/")
    folder = path.parent.parts[-len(parts):]
    if list(folder) != parts and _in_tree(path):
        problems.append(Problem(f"id {data['id']} does not match the folder {'/'.join(folder)} (the folder path is the id)", file=name, line=1, column=1))
    return problems


def _in_tree(path: Path) -> bool:
    root = shipped_root().resolve()
    return root in path.parents


def parent_path(path: Path, own_id: str, parent_id: str, version: str) -> Path | None:
    """The file of the version extended: beside this one, or under the root of its tree, or shipped.

    The id and version have matched their patterns (no separator, no ``..``), and a file whose
    symlinks lead out of the root searched is not taken.
    """
    if parent_id == own_id:
        candidates = [(path.parent / f"{version}.yaml", path.parent)]
    else:
        depth = len(own_id.split("/"))
        local_root = path.parents[depth] if len(path.parents) > depth else path.parent
        candidates = [(local_root / parent_id / f"{version}.yaml", local_root), (shipped_root() / parent_id / f"{version}.yaml", shipped_root())]
    for candidate, root in candidates:
        if candidate.is_file() and _inside(candidate, root):
            return candidate.resolve()
    return None


def source_files(methodology: Methodology | str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files a methodology is read from: its own file and the versions it extends, in turn;
    for an id, the file of every version under ``root`` (default: the shipped tree). A program
    that writes files can refuse to write over one of them.

    >>> from par_rules import load
    >>> [path.name for path in source_files(load("example/par-index/district"))]
    ['2024.yaml']
    """
    if not isinstance(methodology, Methodology):
        return [info.path for info in versions(methodology, root)]
    if methodology.file is None:
        return []
    path: Path | None = Path(methodology.file)
    files = [Path(methodology.file)]
    own_id, extended = methodology.id, methodology.extends
    while path is not None and extended is not None:  # no circle: the methodology loaded
        parent = parent_path(path, own_id, *extended)
        if parent is None:
            break
        files.append(parent)
        data, _ = read_yaml_file(parent)
        target = data.get("extends") if isinstance(data, dict) else None
        path, own_id = parent, extended[0]
        extended = (str(target.get("id", own_id)), str(target["version"])) if isinstance(target, dict) and "version" in target else None
    return files
