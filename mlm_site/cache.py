"""The build cache: what the previous build of an output folder computed, and from what.

A build keys each unit of work by a hash of everything it reads:

- the checks of a document (JSON Schema and document-scope rules) by its href
  and the bytes read (plus the code and the schema options);
- its view-model (card or collection page) by those, its findings, the site's
  page paths and the bytes of the documents it links to;
- the files of its card page by the site key (code, templates, options, page
  paths, root catalog), its view-model key and those of its version chain and
  its collection trail;
- the search index by the keys of every card page.

Units whose key is unchanged are taken over from the previous build: checks and
view-models from the cache file, files hard-linked from the current output
folder into the staging folder. Keys are cautious: a change anywhere a unit
reads gives a new key, so a rebuild is byte-identical to a clean build.

The cache file sits in the user cache folder (``builds/<hash of the output
path>.pickle``), never in the published site. It is trusted only while the
output folder is the one that build wrote (the inode and time of its marker
file match); ``--clean`` ignores it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import mlm_site
from mlm_site.findings import Finding

FORMAT = 3
FILE_NAME = "builds"
#: caches of output folders not built for this many days are deleted
PRUNE_DAYS = 30


def digest(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def tree_digest(folders: Iterable[Path | None]) -> str:
    """A hash of every file (path and bytes) under the given folders."""
    h = hashlib.blake2b(digest_size=16)
    for folder in folders:
        if folder is None or not folder.is_dir():
            h.update(b"-")
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape"))
                h.update(b"\x00")
                h.update(path.read_bytes())
    return h.hexdigest()


_CODE: list[str] = []


def _dependency_versions() -> list[tuple[str, str]]:
    """Name and version of every installed run-time dependency of mlm-site (they shape the output too)."""
    import re
    from importlib import metadata

    try:
        requires = metadata.requires("mlm-site") or []
    except metadata.PackageNotFoundError:
        return []
    out: list[tuple[str, str]] = []
    for req in requires:
        if "extra ==" in req:
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
        if m:
            try:
                out.append((m.group(0).lower(), metadata.version(m.group(0))))
            except metadata.PackageNotFoundError:
                out.append((m.group(0).lower(), ""))
    return sorted(out)


def code_digest() -> str:
    """A hash of mlm-site itself (its modules) and the versions of its dependencies, so an upgrade or
    a local edit invalidates the cache."""
    if not _CODE:
        _CODE.append(digest(mlm_site.__version__, tree_digest([Path(mlm_site.__file__).resolve().parent]),
                            _dependency_versions()))
    return _CODE[0]


def findings_digest(findings: Iterable[Finding]) -> str:
    return digest([(f.href, f.pointer, f.rule, f.severity, f.message, f.schema) for f in findings])


def default_root(cache_dir: Path | None) -> Path:
    import platformdirs

    if cache_dir is not None:
        return Path(cache_dir) / FILE_NAME
    return Path(platformdirs.user_cache_dir("mlm-site")) / FILE_NAME


def _marker_stamp(out: Path) -> tuple[int, int] | None:
    from mlm_site.write import MARKER, MARKER_TEXT

    try:
        st = os.stat(out / MARKER)
        if (out / MARKER).read_text(encoding="utf-8", errors="replace") != MARKER_TEXT:
            return None  # an update of the folder was interrupted: its files are not the cached ones
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class BuildCache:
    """Keys and results of the previous build of one output folder, and those of this one."""

    def __init__(self, out: Path, root: Path, inputs: str, *, clean: bool = False) -> None:
        self.out = out
        self.path = root / (hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:24] + ".pickle")
        self.inputs = inputs
        #: the view-models live in a file of their own, written as soon as they are built
        #: (:meth:`save_models`), so that the build does not hold them twice while it renders
        self.models_path = self.path.with_name(self.path.name.replace(".pickle", ".models.pickle"))
        self.old: dict[str, Any] = {}
        self.old_models: dict[str, bytes] = {}
        self._models_damaged = False
        if not clean:
            self.old = self._load()
            self.old_models = self._load_models()
        self.new: dict[str, Any] = {"format": FORMAT, "inputs": inputs, "checks": {}, "links": {}, "models": {}, "pages": {},
                                    "fragments": {}}

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("inputs") != self.inputs:
            return {}
        stamp = _marker_stamp(self.out)
        if stamp is None or data.get("stamp") != stamp:
            return {}
        return data

    def _load_models(self) -> dict[str, bytes]:
        """The view-models of earlier builds (keyed by what they read, so whatever the output folder holds).

        The file is a series of pickled batches, each ``{"format", "inputs",
        "models"}``: a build appends the models it made (:meth:`save_models`).
        A damaged tail (a build killed while appending) ends the series there.
        """
        models: dict[str, bytes] = {}
        try:
            with open(self.models_path, "rb") as fh:
                while True:
                    try:
                        batch = pickle.load(fh)
                    except EOFError:
                        break
                    if not isinstance(batch, dict) or batch.get("format") != FORMAT or batch.get("inputs") != self.inputs:
                        return {}  # written by another version or with other options: start afresh
                    part = batch.get("models")
                    if isinstance(part, dict):
                        models.update(part)
        except FileNotFoundError:
            pass
        except (OSError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError,
                KeyError):
            self._models_damaged = True  # what follows the damage would never be read: write afresh
        return models

    @property
    def warm(self) -> bool:
        return bool(self.old)

    # -- checks
    def doc_key(self, doc: Any) -> str:
        return digest("doc", self.inputs, doc.href, doc.digest, doc.kind)

    def old_checks(self, key: str) -> Any:
        return self.old.get("checks", {}).get(key)

    def keep_checks(self, key: str, value: Any) -> None:
        self.new["checks"][key] = value

    # -- where a document's links lead (resolved hrefs), by its doc key
    def old_links(self, key: str) -> list[str] | None:
        value = self.old.get("links", {}).get(key)
        return value if isinstance(value, list) else None

    def keep_links(self, key: str, targets: list[str]) -> None:
        self.new["links"][key] = targets

    # -- view-models (pickled)
    def old_model(self, key: str) -> bytes | None:
        blob = self.old_models.get(key)
        return blob if isinstance(blob, bytes) else None

    def keep_model(self, key: str, blob: bytes) -> None:
        self.new["models"][key] = blob

    def save_models(self) -> None:
        """Store this build's view-models now and let go of them and of the previous ones.

        They are keyed by everything they read, so the file is right for any
        later build whatever becomes of this one. New models are appended;
        the file is written afresh when more than half of what it holds is no
        longer used (or when it was unreadable).
        """
        models, self.new["models"] = self.new["models"], {}
        old, self.old_models = self.old_models, {}
        fresh = {k: v for k, v in models.items() if k not in old}
        stale = len(old) - (len(models) - len(fresh))
        batch = {"format": FORMAT, "inputs": self.inputs}
        if not old or self._models_damaged or stale > max(len(models) // 2, 64):
            self._write(self.models_path, {**batch, "models": models})
        elif fresh:
            try:
                with open(self.models_path, "ab") as fh:
                    pickle.dump({**batch, "models": fresh}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:
                pass
        del models, old, fresh

    # -- files of pages
    def old_files(self, unit: str, key: str) -> list[str] | None:
        entry = self.old.get("pages", {}).get(unit)
        if not entry or entry[0] != key:
            return None
        files: list[str] = entry[1]
        base = str(self.out) + os.sep
        isfile = os.path.isfile
        if all(isfile(base + f) for f in files):
            return files
        return None

    def keep_files(self, unit: str, key: str, files: list[str]) -> None:
        self.new["pages"][unit] = (key, list(files))

    # -- pieces of the site-wide pages, by unit (a card's href)
    def old_fragments(self, unit: str, key: str) -> Any:
        entry = self.old.get("fragments", {}).get(unit)
        return entry[1] if entry and entry[0] == key else None

    def keep_fragments(self, unit: str, key: str, value: Any) -> None:
        self.new["fragments"][unit] = (key, value)

    def carry_over(self) -> None:
        """Keep the previous build's results (this build reused all of them)."""
        for part in ("links", "pages", "fragments"):
            self.new[part] = {**self.old.get(part, {}), **self.new[part]}

    def save(self) -> None:
        """Write this build's cache (after the swap: it describes the new output folder)."""
        self.new["stamp"] = _marker_stamp(self.out)
        if self.new["models"]:  # not yet written by save_models
            self.save_models()
        self._write(self.path, self.new)
        self.prune()

    def prune(self, days: float = PRUNE_DAYS) -> None:
        """Delete the caches of output folders not built for ``days`` (each is as large as a tenth
        to a half of its site): the cache folder does not grow with every folder ever built."""
        limit = time.time() - days * 86400
        try:
            entries = list(os.scandir(self.path.parent))
        except OSError:
            return
        for entry in entries:
            if not entry.name.endswith((".pickle", ".tmp")) or entry.path in (str(self.path), str(self.models_path)):
                continue
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
            except OSError:
                continue

    @staticmethod
    def _write(path: Path, data: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
