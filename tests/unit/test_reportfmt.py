"""Tests of :mod:`mlm_site.reportfmt`: text, JUnit XML and GitHub Actions annotations."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from mlm_site import reportfmt
from mlm_site.cli import main
from mlm_site.findings import DocumentReport, Finding, Report

NASTY = 'bad value "a<b>&c" 100% sure: x, y\nsecond line\r\x07bell'


def _report() -> Report:
    a = "/work/cat/b-item.json"
    b = "/work/cat/a-item.json"
    c = "/work/cat/clean.json"
    return Report(
        documents=[
            DocumentReport(
                href=a,
                id="b",
                type="Feature",
                mlm=True,
                findings=[
                    Finding(a, "/properties/mlm:tasks/0", "schema", "error", NASTY, "https://x.test/s.json"),
                    Finding(a, "", "MLM047", "info", "legacy, see https://example.test/a:b"),
                    Finding(a, "/assets/model", "MLM030", "warning", "no checksum"),
                ],
            ),
            DocumentReport(
                href=b,
                id="a",
                type="Collection",
                mlm=False,
                findings=[Finding(b, "/license", "schema", "error", "license: expected string, got integer 7")],
            ),
            DocumentReport(href=c, id="clean", type="Catalog", mlm=False, findings=[]),
            DocumentReport(
                href="/work/cat/broken.json",
                id=None,
                type=None,
                mlm=False,
                findings=[Finding("/work/cat/broken.json", "", "read", "error", "not JSON")],
            ),
        ]
    )


# -- text ------------------------------------------------------------------------------------


def test_text_groups_by_document_and_ends_with_totals() -> None:
    out = reportfmt.text(_report())
    lines = out.splitlines()
    heads = [line for line in lines if not line.startswith("  ")]
    assert heads[:3] == ["/work/cat/a-item.json", "/work/cat/b-item.json", "/work/cat/broken.json"]
    assert "/work/cat/clean.json" not in out  # documents without findings are not listed
    assert lines[-1] == "4 documents (1 MLM): 3 errors, 1 warning, 1 info"
    block = lines[lines.index("/work/cat/b-item.json") + 1 : lines.index("/work/cat/broken.json")]
    assert [line.split()[0] for line in block] == ["error", "warning", "info"]  # most serious first
    assert "(document)" in block[2]
    assert all(line.startswith("  ") for line in block)
    assert "\r" not in out and out.count("\n") == len(lines)  # a message never breaks the layout


def test_text_colours_only_when_asked() -> None:
    plain = reportfmt.text(_report())
    coloured = reportfmt.text(_report(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in coloured  # errors in red
    assert "\x1b[33m" in coloured  # warnings in yellow
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_use_colour_needs_a_terminal_and_no_NO_COLOR() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert reportfmt.use_colour(Tty(), environ={}) is True
    assert reportfmt.use_colour(Tty(), environ={"NO_COLOR": "1"}) is False
    assert reportfmt.use_colour(io.StringIO(), environ={}) is False
    assert reportfmt.use_colour(object(), environ={}) is False  # type: ignore[arg-type]


def test_cli_text_output_has_no_colour_when_not_a_terminal(schemas_dir: Path) -> None:
    item = Path(__file__).resolve().parent.parent / "fixtures" / "versions" / "legacy" / "dlm.json"
    result = CliRunner().invoke(main, ["validate", "--offline", "--schemas", str(schemas_dir), str(item)])
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 document (0 MLM): 0 errors, 1 warning")


# -- JUnit XML --------------------------------------------------------------------------------


def test_junit_parses_and_escapes() -> None:
    out = reportfmt.junit(_report())
    root = ElementTree.fromstring(out.encode("utf-8"))  # well-formed despite <, &, quotes, \x07
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "3")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == sorted(d.href for d in _report().documents)
    by_name = {c.get("name"): c for c in cases}
    failure = by_name["/work/cat/b-item.json"].find("failure")
    assert failure is not None and failure.get("type") == "schema"
    message = failure.get("message") or ""
    assert 'bad value "a<b>&c" 100% sure: x, y\nsecond line' in message  # attribute newlines kept
    assert "\x07" not in message and "\ufffd" in message
    assert failure.text and "a<b>&c" in failure.text
    system_out = by_name["/work/cat/b-item.json"].find("system-out")
    assert system_out is not None and system_out.text is not None
    assert system_out.text.splitlines() == [
        "warning MLM030 /assets/model: no checksum",
        "info MLM047 (document): legacy, see https://example.test/a:b",
    ]
    assert by_name["/work/cat/clean.json"].find("failure") is None
    assert by_name["/work/cat/broken.json"].get("classname") == "unreadable"


def test_junit_empty_report() -> None:
    root = ElementTree.fromstring(reportfmt.junit(Report()).encode("utf-8"))
    assert root.get("tests") == "0"


# -- GitHub Actions ---------------------------------------------------------------------------


def _unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_prop(value: str) -> str:
    return _unescape_data(value.replace("%3A", ":").replace("%2C", ","))


_COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def test_github_commands_escape_data_and_properties(tmp_path: Path) -> None:
    out = reportfmt.github(_report(), cwd=Path("/work"))
    lines = out.splitlines()
    assert len(lines) == 5 and out.endswith("\n")
    parsed = []
    for line in lines:
        m = _COMMAND.match(line)
        assert m, line  # one command per line: no raw newline, no stray "::"
        props = dict(p.split("=", 1) for p in m.group("props").split(","))
        assert set(props) == {"file", "title"}
        parsed.append((m.group("level"), _unescape_prop(props["file"]), _unescape_prop(props["title"]),
                       _unescape_data(m.group("message"))))
    levels = [p[0] for p in parsed]
    assert levels.count("error") == 3 and levels.count("warning") == 1 and levels.count("notice") == 1
    nasty = next(p for p in parsed if p[2] == "schema /properties/mlm:tasks/0")
    assert nasty[1] == "cat/b-item.json"  # relative to the working folder
    assert nasty[3] == NASTY  # round-trips exactly
    legacy = next(p for p in parsed if p[0] == "notice")
    assert legacy[2] == "MLM047 (document)"
    assert legacy[3] == "legacy, see https://example.test/a:b"


def test_github_keeps_urls_and_outside_paths() -> None:
    report = Report(
        documents=[
            DocumentReport(href="https://example.test/a,b:c.json", id="x", type="Feature", mlm=True,
                           findings=[Finding("https://example.test/a,b:c.json", "", "schema", "warning", "w")]),
        ]
    )
    (line,) = reportfmt.github(report, cwd=Path("/nowhere")).splitlines()
    assert line == "::warning file=https%3A//example.test/a%2Cb%3Ac.json,title=schema (document)::w"
    assert reportfmt.github(Report()) == ""


def test_cli_formats_agree_on_counts(schemas_dir: Path, tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "versions"
    bad = json.loads((fixtures / "mlm-v1.5.2" / "item.json").read_text(encoding="utf-8"))
    bad["properties"]["mlm:tasks"] = ["telepathy"]
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    paths = [str(tmp_path / "bad.json"), str(fixtures / "legacy" / "ml-model.json")]
    base = ["validate", "--offline", "--schemas", str(schemas_dir), "--fail-on", "never"]
    outputs = {}
    for fmt in ("json", "junit", "github", "text"):
        result = CliRunner().invoke(main, [*base, "--format", fmt, *paths], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout
    summary = json.loads(outputs["json"])["summary"]["findings"]
    assert sum(1 for line in outputs["github"].splitlines() if line.startswith("::error ")) == summary["error"]
    root = ElementTree.fromstring(outputs["junit"].encode("utf-8"))
    assert len(root.findall(".//failure")) == summary["error"]
    assert f"{summary['error']} error" in outputs["text"].splitlines()[-1]


@pytest.mark.parametrize("fail_on, code", [("error", 1), ("never", 0)])
def test_exit_codes_follow_fail_on(schemas_dir: Path, tmp_path: Path, fail_on: str, code: int) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"type": "Feature", "stac_version": "1.0.0"}), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["validate", "--offline", "--schemas", str(schemas_dir), "--fail-on", fail_on, str(tmp_path / "bad.json")]
    )
    assert result.exit_code == code


def test_report_text_is_the_report_one_document_per_line() -> None:
    from mlm_site.findings import report_text

    data = {
        "documents": [
            {"href": "a/ü.json", "findings": [{"rule": "MLM001", "message": 'quote " and \\ and \u2028'}]},
            {"href": "b.json", "findings": []},
        ],
        "summary": {"documents": 2, "by_rule": {"MLM001": 1}},
    }
    text = report_text(data)
    assert json.loads(text) == data
    lines = text.split("\n")  # U+2028 stays as it is: JSON allows it in strings
    assert lines[2].lstrip().startswith('{"href": "a/ü.json"') and lines[3].lstrip().startswith('{"href": "b.json"')
    assert json.loads(report_text({"documents": [], "summary": {}})) == {"documents": [], "summary": {}}
