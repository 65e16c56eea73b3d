from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from mlm_site import __version__
from mlm_site.cli import main

from ..conftest import SAMPLE


@pytest.fixture
def run(schemas_dir: Path, offline_cache: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MLM_SITE_SCHEMAS", str(schemas_dir))

    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def good_item() -> Path:
    return next(SAMPLE.parent.rglob("s2-landuse-resnet18.json"))


def bad_item() -> Path:
    return next(SAMPLE.parent.rglob("unet-defective.json"))


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_validate_json_contract(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("validate", "--offline", "--format", "json", "--fail-on", "never", str(SAMPLE))
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"documents", "summary"}
    for doc in report["documents"]:
        assert set(doc) == {"href", "id", "type", "mlm", "page", "findings"}
        assert Path(doc["href"]).is_absolute()
        for f in doc["findings"]:
            assert {"rule", "severity", "pointer", "message"} <= set(f)
            assert f["severity"] in ("error", "warning", "info")
            assert f["pointer"] == "" or f["pointer"].startswith("/")
            if f["rule"] == "schema" and f["severity"] == "error":
                assert f["schema"].startswith("https://")
    bad = next(d for d in report["documents"] if d["id"] == "unet-defective")
    schema_pointers = {f["pointer"] for f in bad["findings"] if f["rule"] == "schema"}
    assert "/properties/mlm:tasks/0" in schema_pointers
    assert "/properties/mlm:total_parameters" in schema_pointers


def test_exit_codes_follow_fail_on(run) -> None:  # type: ignore[no-untyped-def]
    assert run("validate", "--offline", str(good_item()))[0] == 0
    code, out, _ = run("validate", "--offline", str(bad_item()))
    assert code == 1 and "unet-defective.json" in out and "error" in out
    assert run("validate", "--offline", "--fail-on", "never", str(bad_item()))[0] == 0
    assert run("validate", "--offline", "--fail-on", "info", str(good_item()))[0] in (0, 1)


def test_usage_errors_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("validate", "--fail-on", "sometimes", str(SAMPLE))
    assert code == 2 and "sometimes" in err
    code, _, err = run("build", str(SAMPLE), "-o", "/")
    assert code == 2 and "root" in err
    code, _, err = run("build", str(tmp_path / "nothing.json"), "-o", str(tmp_path / "out"))
    assert code == 2 and "nothing.json" in err and "file not found" in err
    assert not (tmp_path / "out").exists()


def test_unreadable_argument_is_reported_not_crashed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.json"
    broken.write_text("{oops")
    code, out, _ = run("validate", "--offline", "--format", "json", str(broken), str(good_item()))
    assert code == 1
    docs = json.loads(out)["documents"]
    bad = next(d for d in docs if d["href"].endswith("broken.json"))
    assert bad["type"] is None and bad["findings"][0]["rule"] == "read"
    assert any(d["href"].endswith("s2-landuse-resnet18.json") and d["type"] == "Feature" for d in docs)


def test_junit_and_github_formats(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("validate", "--offline", "--format", "junit", str(bad_item()), str(good_item()))
    assert code == 1
    tree = ElementTree.fromstring(out)
    assert tree.get("tests") == "2" and tree.get("failures") == "1"
    assert tree.findall(".//failure")
    code, out, _ = run("validate", "--offline", "--format", "github", str(bad_item()))
    assert code == 1
    assert any(line.startswith("::error file=") for line in out.splitlines())


def test_build_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_dir = tmp_path / "site"
    code, out, _ = run("build", str(SAMPLE), "-o", str(out_dir), "--offline", "--fail-on", "never", "-q")
    assert code == 0 and "model cards" in out
    assert (out_dir / "index.html").exists() and (out_dir / "report.json").exists()
    # the defective item makes the default --fail-on error exit with 1, and the site is still written
    shutil.rmtree(out_dir)
    code, _, _ = run("build", str(SAMPLE), "-o", str(out_dir), "--offline", "-q")
    assert code == 1 and (out_dir / "index.html").exists()


def test_console_entry_flushes_everything_and_keeps_exit_codes(schemas_dir: Path, offline_cache: Path,
                                                               tmp_path: Path) -> None:
    """``python -m mlm_site`` ends with os._exit: its piped output must still be complete."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MLM_SITE_SCHEMAS": str(schemas_dir), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mlm_site", *args], capture_output=True, text=True,
                              env=env, timeout=300)

    done = cli("validate", str(SAMPLE), "--offline", "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # the whole document arrived through the pipe
    assert report["summary"]["documents"] > 5 and len(done.stdout) > 10_000

    failing = cli("validate", str(bad_item()), "--offline", "--fail-on", "error")
    assert failing.returncode == 1 and "unet-defective.json" in failing.stdout

    missing = cli("build", str(tmp_path / "nowhere.json"), "-o", str(tmp_path / "site"))
    assert missing.returncode == 2 and "nowhere.json" in missing.stderr
    assert not (tmp_path / "site").exists()
