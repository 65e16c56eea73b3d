"""The wheel carries the theme, and a non-editable install builds the sample."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT, SAMPLE


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("src")
    # build from a copy so that no build/ or egg-info folder is left in the checkout
    src = work / "src"
    src.mkdir()
    for rel in ("pyproject.toml", "README.md"):
        (src / rel).write_bytes((ROOT / rel).read_bytes())
    for folder in ("mlm_site", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                target = src / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(src)],
                   check=True)
    (found,) = dist.glob("mlm_site-*.whl")
    return found


def test_wheel_contains_templates_and_static_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ("base.html", "card.html", "index.html", "collection.html", "report.html", "static/style.css", "static/site.js"):
        assert f"mlm_site/templates/{rel}" in names
    assert "mlm_site/cli.py" in names and "mlm_site/validate/rules.py" in names
    assert not any(n.startswith(("tests/", "sample_catalog/")) for n in names)


def test_non_editable_install_builds_the_sample(wheel: Path, tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(target), "MLM_SITE_SCHEMAS": str(schemas_dir)}
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "mlm_site", "build", str(SAMPLE), "-o", str(out), "--offline", "--fail-on", "never"],
        cwd=tmp_path, env={**env, "XDG_CACHE_HOME": str(offline_cache)}, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    probe = subprocess.run([sys.executable, "-c", "import mlm_site; print(mlm_site.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True)
    assert probe.stdout.startswith(str(target))
    assert (out / "index.html").is_file() and (out / "static" / "style.css").is_file()
    assert len(list((out / "models").glob("*/index.html"))) >= 8
