"""Output: safe paths, a staging folder swapped in atomically, static assets.

Nothing is written outside the output folder and its staging siblings; an
output folder that would put the user's files at risk is refused.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import stat
import unicodedata
import uuid
from collections.abc import Iterable
from pathlib import Path

from mlm_site import urls
from mlm_site.errors import OutputError
from mlm_site.jsontext import dumps_indented

MARKER = ".mlm-site"
MARKER_TEXT = "This folder was written by mlm-site; a build replaces it whole.\n"
MARKER_UPDATING = "mlm-site is updating this folder; if no build is running, build again.\n"
STAGING = ".mlm-site-staging-"
OLD = ".mlm-site-old-"
_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
MAX_SLUG = 64


def slugify(text: object, fallback: str = "item") -> str:
    """A file-name-safe slug on Linux, macOS and Windows.

    ASCII letters, digits, ``-``, ``_`` and ``.`` only; no leading/trailing dots
    or dashes; never ``.``/``..``; never a reserved Windows device name; at most
    64 characters; lower-case (so names differing only by case collide and are
    told apart by :func:`assign_slugs`).
    """
    raw = text if isinstance(text, str) else ""
    norm = unicodedata.normalize("NFKD", raw)
    ascii_text = norm.encode("ascii", "ignore").decode("ascii").lower()
    slug = _UNSAFE.sub("-", ascii_text)
    slug = re.sub(r"-{2,}", "-", slug).strip("-._")
    slug = slug[:MAX_SLUG].rstrip("-._")
    if not slug:
        slug = fallback
    if slug.split(".", 1)[0] in _RESERVED:
        slug = f"{slug}-"
        slug = slug.replace(".", "-")
    return slug


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def assign_slugs(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Unique, stable slugs for ``(key, name)`` pairs (key: the document href).

    The first key in sorted order keeps the plain slug; others that collide get
    a suffix from a hash of their key, so a slug does not depend on which other
    documents exist.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for key, name in sorted(entries):
        base = slugify(name)
        slug = base
        if slug in used:
            slug = f"{base[: MAX_SLUG - 9]}-{short_hash(key)}"
        n = 2
        while slug in used:
            slug = f"{base[: MAX_SLUG - 12]}-{short_hash(key)}-{n}"
            n += 1
        used.add(slug)
        out[key] = slug
    return out


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for site-root-relative paths, without asking for the working folder."""
    p, s = posixpath.normpath(path), posixpath.normpath(start)
    if not path or p.startswith(("/", "..")) or s.startswith(("/", "..")):
        return posixpath.relpath(path, start)  # outside the site: the general (slower) rules
    p_parts = [x for x in p.split("/") if x and x != "."]
    s_parts = [x for x in s.split("/") if x and x != "."]
    i = 0
    for a, b in zip(p_parts, s_parts):
        if a != b:
            break
        i += 1
    rel = [".."] * (len(s_parts) - i) + p_parts[i:]
    return "/".join(rel) if rel else "."


def relative(from_page: str, to_path: str) -> str:
    """Relative URL from the page at ``from_page`` to ``to_path`` (both site-root relative)."""
    base = posixpath.dirname(from_page) or "."
    rel = _relpath(to_path, base)
    if to_path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


def check_output(output: Path, catalog: str, *, force: bool = False, keep: Iterable[Path | None] = ()) -> Path:
    """Refuse output folders that would put the user's files at risk; return the absolute path.

    Refused: the file-system root, the home folder, the current folder or any
    folder containing it (its parent...), a folder that holds the catalog or
    any of ``keep`` (templates, schema mirror, cache: replacing the output
    would delete them), something that is not a folder, and a non-empty
    folder mlm-site did not write (unless ``force``).
    """
    out = Path(os.path.abspath(output))
    resolved = out.resolve()
    home = Path.home().resolve()
    cwd = Path.cwd().resolve()
    if resolved == Path(resolved.anchor):
        raise OutputError(output, "refusing to use the file-system root")
    if resolved == home:
        raise OutputError(output, "refusing to use the home folder")
    if resolved == cwd or resolved == cwd.parent or cwd.is_relative_to(resolved):
        raise OutputError(output, "refusing to replace the current folder or one that contains it")
    if not urls.is_remote(catalog):
        cat = Path(catalog).resolve()
        if cat == resolved or cat.is_relative_to(resolved):
            raise OutputError(output, "it contains the catalog; choose another output folder")
    for path in keep:
        if path is None:
            continue
        other = Path(path).resolve()
        if other == resolved or other.is_relative_to(resolved):
            raise OutputError(output, f"it contains {path}, which a build would delete; choose another output folder")
    if out.exists() and not out.is_dir():
        raise OutputError(output, "exists and is not a folder")
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()) and not force:
        raise OutputError(
            output,
            "exists, is not empty and was not made by mlm-site; "
            "choose an empty or new folder, or pass --force to replace it",
        )
    return out


def _pid_of(name: str, prefix: str) -> int | None:
    head = name[len(prefix):].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int | None) -> bool:
    """True when ``pid`` is a running process other than this one (another build)."""
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(out: Path) -> list[Path]:
    """Tidy what interrupted builds of ``out`` left beside it.

    A build killed between the two renames of :meth:`Staging.commit` leaves no
    ``out`` but the previous site in an ``old`` folder: that folder is put back
    first. Then staging and old folders are removed, except those of a build
    still running (their name carries its process id). Only real folders whose
    name starts with ``.<out name>.mlm-site-...`` are touched; never a symbolic
    link, never anything else.
    """
    removed: list[Path] = []
    parent = out.parent
    if not parent.is_dir():
        return removed
    staging_prefix, old_prefix = f".{out.name}{STAGING}", f".{out.name}{OLD}"
    if not out.exists() and not out.is_symlink():
        olds = sorted(
            (e for e in parent.iterdir()
             if e.name.startswith(old_prefix) and e.is_dir() and not e.is_symlink() and (e / MARKER).exists()),
            key=lambda e: e.stat().st_mtime,
        )
        if olds:
            os.replace(olds[-1], out)
    for entry in parent.iterdir():
        for prefix in (staging_prefix, old_prefix):
            if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
                if _alive(_pid_of(entry.name, prefix)):
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


class Staging:
    """A folder beside the output; :meth:`commit` puts it in place, :meth:`abort` removes it.

    Two ways to commit:

    - **swap** (default): the staging folder holds the whole new site and
      replaces the output folder in two renames;
    - **update** (``previous`` given: the files of the site now in the output
      folder, from the build cache): the staging folder holds only what
      changed. Files taken over with :meth:`reuse`, and files written with the
      same bytes as the published ones, stay where they are; the others are
      moved in one by one and files of the previous site that the new one no
      longer has are removed. A rebuild after a small change then touches a
      few files instead of every file of the site. While the files move, the
      marker says so (and no longer matches the build cache), so a build
      interrupted there is followed by a full build.

    Either way a build that fails before :meth:`commit` leaves the published
    site untouched.
    """

    def __init__(self, out: Path, previous: Iterable[str] | None = None) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        self.path = out.parent / f".{out.name}{STAGING}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.path.mkdir()
        self.files: set[str] = set()
        self._folders: set[Path] = {self.path}
        self.previous: frozenset[str] | None = frozenset(previous) if previous is not None else None

    def _check(self, rel: str) -> None:
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in rel.split("/")):
            raise OutputError(self.out, f"unsafe output path {rel!r}")

    def _target(self, rel: str) -> Path:
        self._check(rel)
        return self.path / rel

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def _parent(self, target: Path) -> None:
        folder = target.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _published_same(self, rel: str, data: bytes) -> bool:
        """True when updating and the published file ``rel`` already has exactly these bytes."""
        if self.previous is None or rel not in self.previous:
            return False
        try:
            published = self.out / rel
            st = os.lstat(published)
            if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
                return False
            return published.read_bytes() == data
        except OSError:
            return False

    def write_bytes(self, rel: str, data: bytes) -> None:
        target = self._target(rel)
        if self._published_same(rel, data):
            if rel in self.files:
                target.unlink(missing_ok=True)
            self.files.add(rel)
            return
        self._parent(target)
        if rel in self.files:  # never write through a hard link taken over from the previous site
            target.unlink(missing_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
        self.files.add(rel)

    def reuse(self, previous: Path, rel: str) -> None:
        """Take the file ``rel`` over from the previous site ``previous``: a hard link, else a copy
        (when updating the output folder in place, the file simply stays)."""
        if self.previous is not None and previous == self.out and rel in self.previous:
            self._check(rel)
            if rel in self.files:
                self._target(rel).unlink(missing_ok=True)
            self.files.add(rel)
            return
        target = self._target(rel)
        source = previous / rel
        self._parent(target)
        if rel in self.files:
            target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.files.add(rel)

    def write_json(self, rel: str, data: object) -> None:
        self.write_text(rel, dumps_indented(data) + "\n")

    def copy(self, source: Path, rel: str) -> None:
        self.write_bytes(rel, source.read_bytes())

    def commit(self) -> None:
        if self.previous is not None:
            self._update()
            return
        (self.path / MARKER).write_text(MARKER_TEXT)
        old = None
        if self.out.exists():
            old = self.out.parent / f".{self.out.name}{OLD}{os.getpid()}-{uuid.uuid4().hex[:8]}"
            os.replace(self.out, old)
        try:
            os.replace(self.path, self.out)
        except OSError:
            if old is not None:
                os.replace(old, self.out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _inside_out(self, folder: Path, real_out: str) -> None:
        """Create ``folder`` (inside the output folder); refuse one that resolves elsewhere (a symlink)."""
        folder.mkdir(parents=True, exist_ok=True)
        real = os.path.realpath(folder)
        if real != real_out and not real.startswith(real_out + os.sep):
            raise OutputError(self.out, f"{folder} leads outside the output folder")

    def _update(self) -> None:
        assert self.previous is not None
        marker = self.out / MARKER
        if not marker.is_file() or marker.is_symlink():
            raise OutputError(self.out, "the output folder changed during the build (its marker is gone)")
        marker.write_text(MARKER_UPDATING)
        real_out = os.path.realpath(self.out)
        checked: set[Path] = set()
        for rel in sorted(self.files):
            source = self.path / rel
            if not os.path.lexists(source):
                continue  # taken over: the published file stays
            target = self.out / rel
            if target.parent not in checked:
                self._inside_out(target.parent, real_out)
                checked.add(target.parent)
            os.replace(source, target)
        for rel in sorted(self.previous - self.files, reverse=True):
            target = self.out / rel
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            folder = target.parent
            while folder != self.out:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                folder = folder.parent
        marker.write_text(MARKER_TEXT)
        shutil.rmtree(self.path, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
