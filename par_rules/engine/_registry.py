"""Finding methodologies: files, versions, the version in force for a year, and loading.

Methodologies live in a folder tree whose path is their id::

    methodologies/vn/moha/par-index/province/2020.yaml        id vn/moha/par-index/province
    methodologies/vn/moha/par-index/province/2020.tests.yaml  its tests

The shipped tree is part of the installed package (``par_rules/methodologies``); in a source
checkout it is the repository's ``methodologies/`` folder. An author keeps their own trees
(*roots*) anywhere: an id is looked for in the roots given (``root=``, one folder or a list;
``--root`` on the command line), then in the folders of the ``PAR_RULES_PATH`` environment
variable (a path list, ``os.pathsep`` between folders), then in the shipped tree.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Union

from ._compile import compile_methodology
from ..errors import MethodologyError, MethodologyNotFound, Problem
from ._extends import merge
from .._places import SourceMap, did_you_mean
from ._load import read_yaml_file
from ._model import Methodology
from ._validate import check_schema, schema
from .._i18n import gettext as _

__all__ = ["shipped_root", "VersionInfo", "versions", "all_versions", "find", "load_file", "search_roots", "user_roots", "Roots", "PATH_VARIABLE", "source_files"]

TESTS_SUFFIX = ".tests.yaml"

#: The environment variable of the user's methodology folders (os.pathsep between them).
PATH_VARIABLE = "PAR_RULES_PATH"

#: One folder of methodologies, or a list of them (searched in order).
Roots = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]], None]


def shipped_root() -> Path:
    """The folder of the methodologies shipped with par_rules."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "methodologies"
    return installed if installed.is_dir() else package.parent / "methodologies"


def _as_list(root: Roots) -> list[Path]:
    if root is None:
        return []
    if isinstance(root, (str, os.PathLike)):
        return [Path(root)]
    return [Path(item) for item in root]


def user_roots(root: Roots = None) -> list[Path]:
    """The user's methodology folders, in the order searched: ``root`` (one folder or a list),
    then the folders of ``PAR_RULES_PATH``.

    >>> [str(p) for p in user_roots(["a", "b"])] == ["a", "b"] + [p for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p]
    True
    """
    listed = _as_list(root) + [Path(part) for part in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if part]
    found: list[Path] = []
    for path in listed:
        if path not in found:
            found.append(path)
    return found


def search_roots(root: Roots = None) -> list[Path]:
    """Every folder an id is looked for in, in order: :func:`user_roots`, then the shipped tree."""
    found = user_roots(root)
    shipped = shipped_root()
    return found + ([shipped] if shipped not in found else [])


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
        raise MethodologyNotFound(_("{methodology_id!r} is not a methodology id: ids are folder names such as vn/moha/par-index/province").format(methodology_id=methodology_id))


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
        data, _unused = read_yaml_file(path)
    except MethodologyError:
        return None
    years = data.get("years")
    if not isinstance(years, list):
        return None
    return VersionInfo(str(data.get("id")), str(data.get("version")), tuple(int(y) for y in years if isinstance(y, (int,)) or str(y).isdigit()), path)


def versions(methodology_id: str, root: Roots = None) -> list[VersionInfo]:
    """Every version of a methodology found in the folders of :func:`search_roots` (``root``,
    then ``PAR_RULES_PATH``, then the shipped tree); a version found in an earlier folder hides
    the same version in a later one.

    The id is a path under a root only once it matches the id pattern (no ``..``, no absolute
    path), and files whose symlinks lead out of their root are not read.
    """
    _check_id(methodology_id)
    by_version: dict[str, VersionInfo] = {}
    for base in search_roots(root):
        folder = base / methodology_id
        if not folder.is_dir() or not _inside(folder, base):
            continue
        found = [_header(path) for path in sorted(folder.iterdir()) if path.is_file() and _is_methodology_file(path) and _inside(path, base)]
        for info in found:
            if info is not None:
                by_version.setdefault(info.version, info)
    return sorted(by_version.values(), key=lambda info: (min(info.years, default=0), info.version))


def all_versions(root: Roots = None) -> list[VersionInfo]:
    """Every methodology file in ``root`` (one folder or a list; default: the shipped tree), by
    id then year; an id and version found in an earlier folder hides it in a later one."""
    by_key: dict[tuple[str, str], VersionInfo] = {}
    for base in _as_list(root) or [shipped_root()]:
        found = [_header(path) for path in sorted(base.rglob("*.yaml")) if _is_methodology_file(path) and _inside(path, base)]
        for info in found:
            if info is not None:
                by_key.setdefault((info.id, info.version), info)
    return sorted(by_key.values(), key=lambda info: (info.id, min(info.years, default=0), info.version))


def find(methodology_id: str, *, year: int | None = None, version: str | None = None, root: Roots = None) -> Path:
    """The file of a methodology version, named or in force for an assessment year."""
    known = versions(methodology_id, root)
    if not known:
        searched = ", ".join(str(path) for path in search_roots(root))
        raise MethodologyNotFound(_("no methodology with id {methodology_id!r} in {searched} (par-rules list shows every id; --root DIR or PAR_RULES_PATH adds folders)").format(
            methodology_id=methodology_id, searched=searched
        ))
    if version is not None:
        for info in known:
            if info.version == str(version):
                return info.path
        listed = ", ".join(info.version for info in known)
        raise MethodologyNotFound(_("{methodology_id} has no version {version!r} (versions: {listed})").format(methodology_id=methodology_id, version=version, listed=listed))
    if year is None:
        return known[-1].path
    matches = [info for info in known if year in info.years]
    if not matches:
        covered = sorted({y for info in known for y in info.years})
        raise MethodologyNotFound(_("no version of {methodology_id} applies to {year}; years covered: {str}").format(methodology_id=methodology_id, year=year, str=', '.join(map(str, covered))))
    if len(matches) > 1:
        names = ", ".join(info.version for info in matches)
        raise MethodologyNotFound(_("several versions of {methodology_id} claim {year} ({names}): name one with version=").format(methodology_id=methodology_id, year=year, names=names))
    return matches[0].path


# Compiled methodologies by file, kept while none of their files change.
_cache: dict[tuple[Path, tuple[Path, ...]], tuple[tuple[tuple[Path, int, int], ...], Methodology]] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path) -> tuple[Path, int, int]:
    status = path.stat()
    return path, status.st_mtime_ns, status.st_size


def load_file(path: str | Path, roots: Roots = None) -> Methodology:
    """Load, check and compile one methodology file (and the versions it extends, looked for
    beside it, then in ``roots``, ``PAR_RULES_PATH`` and the shipped tree)."""
    path = Path(path).resolve()
    key = (path, tuple(search_roots(roots)))
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        try:
            if all(_stamp(stamp[0]) == stamp for stamp in cached[0]):
                return cached[1]
        except OSError:
            pass
    chain: list[Path] = []
    data, where = _resolve(path, chain, roots)
    methodology = compile_methodology(data, where, _display(path))
    try:
        stamps = tuple(_stamp(p) for p in chain)
    except OSError:
        return methodology
    with _cache_lock:
        _cache[key] = (stamps, methodology)
    return methodology


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)


def _resolve(path: Path, chain: list[Path], roots: Roots = None, lineage: bool = True) -> tuple[dict[str, Any], SourceMap]:
    """A file's data with its ``extends`` chain merged in, checked against the schema (and its
    own lineage checked, unless ``lineage`` is false: the versions it extends or starts from)."""
    if path in chain:
        cycle = " → ".join(p.name for p in chain + [path])
        raise MethodologyError([Problem(_("'extends' goes round in a circle: {cycle}").format(cycle=cycle), file=_display(path))])
    chain.append(path)
    name = _display(path)
    data, where = read_yaml_file(path, name)
    problems = check_schema(data, where)
    if problems:
        raise MethodologyError(problems)
    version_problems = _check_versions(data, where)
    problems = version_problems + _check_place(path, data, name, roots)
    if "extends" not in data:
        problems += _check_lineage(path, data, data, where, roots) if lineage and not problems else []
        if problems:
            raise MethodologyError(problems)
        return data, where
    if version_problems:  # a version that is not a file name is not looked for
        raise MethodologyError(problems)
    target = data["extends"]
    parent_id = target.get("id", data["id"])
    parent_file = parent_path(path, data["id"], parent_id, str(target["version"]), roots)
    if parent_file is None:
        problems.append(where.locate(data, "extends").problem(_missing_parent(path, data["id"], parent_id, str(target["version"]), roots)))
        raise MethodologyError(problems)
    parent_data, parent_where = _resolve(parent_file, chain, roots, lineage=False)
    where.update(parent_where)
    merged, change_problems = merge(parent_data, data, where)
    problems += change_problems
    if lineage and not problems:
        problems += _check_lineage(path, data, merged, where, roots)
    if problems:
        raise MethodologyError(problems)
    return merged, where


def _node_ids(data: Any) -> list[str]:
    """The ids of every node in a file's (merged) criteria, in order."""
    found: list[str] = []
    stack = list(reversed(data.get("criteria") or [])) if isinstance(data, dict) else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(str(node.get("id")))
            stack += reversed(node.get("children") or [])
    return found


def _check_lineage(path: Path, own: dict[str, Any], merged: dict[str, Any], where: SourceMap, roots: Roots) -> list[Problem]:
    """A file's own ``lineage``: every node it names exists, in this version (the keys) and in the
    version it starts from (the values), which must exist too; each problem at its place."""
    lineage = own.get("lineage")
    if not isinstance(lineage, dict) or not isinstance(lineage.get("from"), dict):
        return []
    start = lineage["from"]
    from_id, from_version = str(start.get("id", own["id"])), str(start.get("version"))
    problems: list[Problem] = []
    from_file = parent_path(path, own["id"], from_id, from_version, roots)
    if from_file is None or from_file == path.resolve():
        what = "itself" if from_file is not None else _missing_parent(path, own["id"], from_id, from_version, roots).replace("extends ", _("lineage starts from "), 1)
        return [where.locate(lineage, "from").problem(what if from_file is None else _("the lineage starts from this very version: name the earlier version it continues"))]
    try:
        earlier, _unused = _resolve(from_file, [path.resolve()], roots, lineage=False)
    except MethodologyError as error:
        return [where.locate(lineage, "from").problem(_("lineage starts from {from_id}@{from_version}, which does not load: {problems}").format(
            from_id=from_id, from_version=from_version, problems=error.problems[0]
        ))]
    current_ids, earlier_ids = _node_ids(merged), _node_ids(earlier)
    nodes = lineage.get("nodes") or {}
    for node_id, before in nodes.items():
        if str(node_id) not in current_ids:
            problems.append(where.locate(nodes, node_id).problem(_("the lineage names node {node_id}, which {own}@{own2} does not have{node_id2}").format(
                node_id=node_id, own=own['id'], own2=own['version'], node_id2=did_you_mean(node_id, current_ids)
            )))
        for old in [before] if isinstance(before, str) else (before or []):
            if str(old) not in earlier_ids:
                problems.append(where.locate(nodes, node_id).problem(_("the lineage sends node {node_id} to {old}, which {from_id}@{from_version} does not have{old2}").format(
                    node_id=node_id, old=old, from_id=from_id, from_version=from_version, old2=did_you_mean(old, earlier_ids)
                )))
    return problems


def _check_versions(data: dict[str, Any], where: SourceMap) -> list[Problem]:
    """A version written as a number must still read as a version: the schema's pattern checks only texts."""
    places = [(data, "version"), (data.get("extends") or {}, "version"), ((data.get("lineage") or {}).get("from") or {}, "version")]
    pattern, problems = _pattern("version"), []
    for container, key in places:
        value = container.get(key)
        if value is not None and not isinstance(value, str) and not pattern.search(str(value)):
            problems.append(where.locate(container, key).problem(_("the number {value} is not a valid version (pattern {pattern}): write the version in quotes").format(
                value=value, pattern=pattern.pattern
            )))
    return problems


def _check_place(path: Path, data: dict[str, Any], name: str, roots: Roots = None) -> list[Problem]:
    """A file in a methodology tree must sit at <id>/<version>.yaml."""
    problems = []
    if path.stem != str(data["version"]):
        problems.append(Problem(_("the file of version {data} must be named {data}.yaml").format(data=data['version']), file=name, line=1, column=1))
    parts = data["id"].split("/")
    folder = path.parent.parts[-len(parts):]
    if list(folder) != parts and _in_tree(path, roots):
        problems.append(Problem(_("id {data} does not match the folder {folder} (the folder path is the id)").format(data=data['id'], folder='/'.join(folder)), file=name, line=1, column=1))
    return problems


def _in_tree(path: Path, roots: Roots = None) -> bool:
    """Whether a file sits in one of the folders searched for ids (where its folder is its id)."""
    return any(root.resolve() in path.parents for root in search_roots(roots))


def _parent_candidates(path: Path, own_id: str, parent_id: str, version: str, roots: Roots) -> list[tuple[Path, Path]]:
    """Where the file of an extended version may be, with the root each must stay inside."""
    depth = len(own_id.split("/"))
    local_root = path.parents[depth] if len(path.parents) > depth else path.parent
    bases = [local_root] + [root for root in search_roots(roots) if root != local_root]
    candidates = [(path.parent / f"{version}.yaml", path.parent)] if parent_id == own_id else []
    return candidates + [(base / parent_id / f"{version}.yaml", base) for base in bases]


def parent_path(path: Path, own_id: str, parent_id: str, version: str, roots: Roots = None) -> Path | None:
    """The file of the version extended: beside this one, or under the root of its tree, or in
    ``roots``, ``PAR_RULES_PATH`` or the shipped tree.

    The id and version have matched their patterns (no separator, no ``..``), and a file whose
    symlinks lead out of the root searched is not taken.
    """
    for candidate, root in _parent_candidates(path, own_id, parent_id, version, roots):
        if candidate.is_file() and _inside(candidate, root):
            return candidate.resolve()
    return None


def _missing_parent(path: Path, own_id: str, parent_id: str, version: str, roots: Roots) -> str:
    """What to say of an ``extends`` whose version is nowhere: the versions that do exist."""
    message = _("extends {parent_id}@{version}: no such file ({parent_id}/{version}.yaml in the methodology folders)").format(parent_id=parent_id, version=version)
    known: list[str] = []
    for candidate, root in _parent_candidates(path, own_id, parent_id, version, roots):
        folder = candidate.parent
        if folder.is_dir() and _inside(folder, root):
            for file in sorted(folder.iterdir()):
                if file.is_file() and _is_methodology_file(file) and file != path and file.stem not in known:
                    known.append(file.stem)
    if known:
        return message + _("; the versions of {parent_id} are: {known}").format(parent_id=parent_id, known=', '.join(known))
    return message + _("; no version of {parent_id} was found (par-rules list shows every id)").format(parent_id=parent_id)


def source_files(methodology: Methodology | str, root: Roots = None) -> list[Path]:
    """The files a methodology is read from: its own file and the versions it extends, in turn;
    for an id, the file of every version found (in ``root``, then as :func:`versions` looks). A program
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
        parent = parent_path(path, own_id, *extended, root)
        if parent is None:
            break
        files.append(parent)
        data, _unused = read_yaml_file(parent)
        target = data.get("extends") if isinstance(data, dict) else None
        path, own_id = parent, extended[0]
        extended = (str(target.get("id", own_id)), str(target["version"])) if isinstance(target, dict) and "version" in target else None
    return files
