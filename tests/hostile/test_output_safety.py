"""Output folder refusals and atomic output: an exception, Ctrl-C (SIGINT) or SIGKILL in
the middle of a build leaves the previous site intact, and the next run leaves no stray
staging folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mlm_site.build import build
from mlm_site.config import load_config
from mlm_site.errors import OutputError
from mlm_site.write import MARKER, OLD, STAGING, Staging, check_output, clean_stale

from .conftest import snapshot

MLM = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"


def big_catalog(folder: Path, n: int) -> Path:
    """A catalog of ``n`` small MLM items: slow enough to interrupt mid-way."""
    folder.mkdir(parents=True)
    links = [{"rel": "item", "href": f"./items/m{i:04d}.json"} for i in range(n)]
    (folder / "catalog.json").write_text(json.dumps(
        {"type": "Catalog", "stac_version": "1.1.0", "id": "big", "description": "big", "links": links}))
    (folder / "items").mkdir()
    for i in range(n):
        item = {"type": "Feature", "stac_version": "1.1.0", "stac_extensions": [MLM], "id": f"m{i:04d}",
                "geometry": {"type": "Point", "coordinates": [i % 180, 0]}, "bbox": [i % 180, 0, i % 180, 0],
                "properties": {"datetime": "2020-01-01T00:00:00Z", "mlm:name": f"m{i}", "mlm:architecture": "CNN",
                               "mlm:tasks": ["classification"], "mlm:input": [], "mlm:output": [],
                               "description": f"Model **{i}**"},
                "links": [], "assets": {}}
        (folder / "items" / f"m{i:04d}.json").write_text(json.dumps(item))
    return folder / "catalog.json"


def config_for(catalog: Path, out: Path, schemas_dir: Path, cache: Path, **kw: object):  # type: ignore[no-untyped-def]
    return load_config(None, catalog=str(catalog), output=out, schemas=schemas_dir, offline=True,
                       cache_dir=cache, fail_on="never", tiles="", **kw)


def strays(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.mlm-site-"))


# --- refusals ------------------------------------------------------------------------

def test_refuses_root_home_cwd_parent_and_catalog_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cat_dir = tmp_path / "project" / "catalog"
    cat_dir.mkdir(parents=True)
    catalog = cat_dir / "catalog.json"
    catalog.write_text("{}")
    work = tmp_path / "project" / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for bad, why in [
        (Path("/"), "root"),
        (home, "home"),
        (Path("~").expanduser(), "home"),
        (Path("."), "current folder"),
        (Path(".."), "current folder"),
        (Path("../.."), "current folder"),
        (cat_dir, "catalog"),
        (tmp_path / "project" / "catalog" / "..", "current folder"),
    ]:
        with pytest.raises(OutputError) as exc:
            check_output(bad, str(catalog))
        assert why in str(exc.value), (bad, str(exc.value))
    # a symbolic link to a refused folder is refused too
    (tmp_path / "link-to-root").symlink_to("/")
    with pytest.raises(OutputError):
        check_output(tmp_path / "link-to-root", str(catalog))
    # folders a build would delete: templates, schema mirror
    theme = tmp_path / "out" / "theme"
    theme.mkdir(parents=True)
    with pytest.raises(OutputError, match="would delete"):
        check_output(tmp_path / "out", str(catalog), keep=[theme])
    # a file, and a non-empty folder mlm-site did not write
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        check_output(tmp_path / "file", str(catalog))
    with pytest.raises(OutputError, match="not made by mlm-site"):
        check_output(tmp_path / "out", str(catalog))
    assert check_output(tmp_path / "new", str(catalog)) == tmp_path / "new"


# --- atomic output -------------------------------------------------------------------

@pytest.fixture
def previous(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> tuple[Path, Path, dict]:  # type: ignore[type-arg]
    catalog = big_catalog(tmp_path / "cat", 400)
    out = tmp_path / "work" / "site"
    small = big_catalog(tmp_path / "small", 3)
    build(config_for(small, out, schemas_dir, offline_cache))
    return catalog, out, snapshot(out)


def test_exception_mid_build_keeps_previous_site(previous, schemas_dir: Path, offline_cache: Path,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, out, before = previous
    import mlm_site.pages as build_module

    real = build_module.write_site
    calls = {"n": 0}

    def failing(staging: Staging, *args, **kwargs):  # type: ignore[no-untyped-def]
        original = staging.write_text

        def write_text(rel: str, text: str) -> None:
            calls["n"] += 1
            if calls["n"] == 50:
                raise RuntimeError("disk on fire")
            original(rel, text)

        staging.write_text = write_text  # type: ignore[method-assign]
        return real(staging, *args, **kwargs)

    monkeypatch.setattr(build_module, "write_site", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(replace(config_for(catalog, out, schemas_dir, offline_cache), clean=True))  # write every page again
    assert snapshot(out) == before
    assert strays(out) == []


def run_build(catalog: Path, out: Path, schemas_dir: Path, cache: Path) -> subprocess.Popen[bytes]:
    code = ("import sys; from mlm_site.cli import main; sys.argv = ['mlm-site'] + sys.argv[1:]; main()")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", code, "build", str(catalog), "-o", str(out), "--offline", "--schemas",
         str(schemas_dir), "--fail-on", "never", "--tiles", "", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=out.parent.parent,
    )


def interrupt_mid_write(proc: subprocess.Popen[bytes], out: Path, sig: int) -> None:
    """Wait until the staging folder holds some pages, then send ``sig``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stage = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}{STAGING}")]
        if stage and (stage[0] / "models").is_dir() and len(list((stage[0] / "models").iterdir())) > 20:
            proc.send_signal(sig)
            proc.wait(30)
            return
        if proc.poll() is not None:
            pytest.fail(f"the build ended (status {proc.returncode}) before it could be interrupted")
        time.sleep(0.005)
    proc.kill()
    pytest.fail("no staging folder appeared")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_interrupted_build_keeps_previous_site(previous, sig: int, schemas_dir: Path, offline_cache: Path) -> None:  # type: ignore[no-untyped-def]
    catalog, out, before = previous
    proc = run_build(catalog, out, schemas_dir, offline_cache)
    interrupt_mid_write(proc, out, sig)
    assert proc.returncode != 0
    assert snapshot(out) == before  # the previous site, byte for byte
    if sig == signal.SIGINT:
        assert strays(out) == []  # Ctrl-C cleans up at once
    else:
        assert len(strays(out)) == 1  # SIGKILL cannot: the next run does
    # the next run succeeds and leaves nothing behind
    result = build(config_for(catalog, out, schemas_dir, offline_cache))
    assert result.cards == 400 and (out / MARKER).exists()
    assert strays(out) == []


def test_kill_between_the_two_renames_restores_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("x")
    (out / "index.html").write_text("previous")
    # state after os.replace(out, old) and before os.replace(staging, out)
    old = tmp_path / f".site{OLD}999999-deadbeef"
    os.replace(out, old)
    stage = tmp_path / f".site{STAGING}999999-cafebabe"
    stage.mkdir()
    (stage / "half.html").write_text("half")
    clean_stale(out)
    assert (out / "index.html").read_text() == "previous"
    assert strays(out) == []


def test_staging_of_a_running_build_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    running = tmp_path / f".site{STAGING}{os.getppid()}-00000000"
    running.mkdir()
    dead = tmp_path / f".site{STAGING}999999999-00000000"
    dead.mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / f".site{STAGING}999999998-link").symlink_to(tmp_path / "other")
    clean_stale(out)
    assert running.exists() and not dead.exists()
    assert (tmp_path / "other").exists()  # a symbolic link is never followed into


def test_unsafe_output_paths_are_refused(tmp_path: Path) -> None:
    stage = Staging(tmp_path / "site")
    try:
        for rel in ("../x.html", "/etc/x", "a/../../x", "a\\b", "", "a//b", "./a"):
            with pytest.raises(OutputError):
                stage.write_text(rel, "x")
    finally:
        stage.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
