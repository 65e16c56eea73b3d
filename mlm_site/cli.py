"""The ``mlm-site`` command: ``build``, ``serve`` and ``validate``.

Turns :class:`~mlm_site.errors.MlmSiteError` into one message and exit code 2;
exit code 1 when a finding reaches ``--fail-on``; 0 otherwise.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from mlm_site import __version__
from mlm_site.config import FAIL_ON, load_config
from mlm_site.errors import MlmSiteError
from mlm_site.findings import Report, reaches, report_text

FORMATS = ("text", "json", "junit", "github")


def _fail(exc: MlmSiteError) -> NoReturn:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _common(f: Any) -> Any:
    f = click.option("--schemas", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Local mirror of JSON Schemas laid out by URL (default: env MLM_SITE_SCHEMAS).")(f)
    f = click.option("--offline", is_flag=True, default=None, help="Never fetch schemas over the network.")(f)
    f = click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
                     help="Exit with status 1 when a finding reaches this severity [default: error].")(f)
    f = click.option("--follow-outside", is_flag=True, default=None,
                     help="Follow local links that lead outside the root document's folder.")(f)
    f = click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     default=None, help="Configuration file (default: ./mlm-site.toml when present).")(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlm-site")
def main() -> None:
    """Static documentation sites of model cards for STAC catalogs that use the
    Machine Learning Model (MLM) extension."""


@main.command()
@click.argument("catalog")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Output folder [default: site].")
@click.option("--base-url", default=None, help="Public URL of the site (canonical links, sitemap, feed).")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of templates overriding the built-in theme.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, help="Worker processes (0: number of CPUs).")
@click.option("--tiles", default=None, help="Map tile URL template; '' for maps without tiles.")
@click.option("--force", is_flag=True, default=None, help="Replace a non-empty output folder mlm-site did not create.")
@click.option("--clean", is_flag=True, default=None, help="Ignore the build cache: recompute and re-render everything.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line and errors.")
@_common
def build(catalog: str, output: Path | None, base_url: str | None, templates: Path | None, jobs: int | None,
          tiles: str | None, force: bool | None, clean: bool | None, quiet: bool, schemas: Path | None,
          offline: bool | None, fail_on: str | None, follow_outside: bool | None, config_file: Path | None) -> None:
    """Build the site for CATALOG (a path or http(s) URL of a Catalog, Collection or Item)."""
    from mlm_site.build import build as run_build

    _last_command()
    try:
        config = load_config(config_file, catalog=catalog, output=output, base_url=base_url, templates=templates,
                             jobs=jobs, tiles=tiles, force=force, clean=clean, schemas=schemas, offline=offline, fail_on=fail_on,
                             follow_outside=follow_outside)
        if quiet:
            result = run_build(config, None)
        elif sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("building", total=None)
                result = run_build(config, lambda msg: bar.update(task, description=msg))
        else:
            result = run_build(config, lambda msg: click.echo(f"… {msg}", err=True))
    except MlmSiteError as exc:
        _fail(exc)
    if not quiet:
        for doc in result.report.documents:
            errors = [f for f in doc.findings if f.severity == "error"]
            if errors:
                click.echo(f"{doc.href}: {len(errors)} error(s)", err=True)
    click.echo(f"Built {result.output}: {result.summary_line()}")
    if _RETAINED is not None:  # the process ends next: its heap goes with it, not object by object
        _RETAINED.append(result.retained)
    sys.exit(1 if result.failed else 0)


@main.command()
@click.argument("catalog")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Output folder [default: site].")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of templates overriding the built-in theme (watched too).")
@click.option("--tiles", default=None, help="Map tile URL template; '' for maps without tiles.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help="Seconds between checks for changed files.")
@click.option("--force", is_flag=True, default=None, help="Replace a non-empty output folder mlm-site did not create.")
@_common
def serve(catalog: str, output: Path | None, templates: Path | None, tiles: str | None, host: str, port: int,
          interval: float, force: bool | None, schemas: Path | None, offline: bool | None, fail_on: str | None,
          follow_outside: bool | None, config_file: Path | None) -> None:
    """Build the site for CATALOG, serve it locally and rebuild when the catalog or templates change."""
    from mlm_site.build import build as run_build
    from mlm_site.serve import serve as run_serve

    try:
        config = load_config(config_file, catalog=catalog, output=output, templates=templates, tiles=tiles,
                             force=force, schemas=schemas, offline=offline, fail_on=fail_on,
                             follow_outside=follow_outside)

        def build_once(cfg: Any) -> None:
            result = run_build(cfg)
            click.echo(f"Built {result.output}: {result.summary_line()}", err=True)

        run_serve(config, build_once, host=host, port=port, interval=interval, config_file=config_file,
                  echo=lambda msg: click.echo(msg, err=True))
    except MlmSiteError as exc:
        _fail(exc)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", help="Output format.")
@_common
def validate(paths: tuple[str, ...], fmt: str, schemas: Path | None, offline: bool | None, fail_on: str | None,
             follow_outside: bool | None, config_file: Path | None) -> None:
    """Validate catalogs or single documents (paths or http(s) URLs)."""
    from mlm_site.check import validate_paths

    try:
        config = load_config(config_file, catalog=paths[0], schemas=schemas, offline=offline, fail_on=fail_on,
                             follow_outside=follow_outside)
        _last_command()
        report = validate_paths(list(paths), config)
    except MlmSiteError as exc:
        _fail(exc)
    from mlm_site import reportfmt

    if fmt == "json":
        click.echo(report_text(report.to_json()), nl=False)
    elif fmt == "junit":
        click.echo(reportfmt.junit(report), nl=False)
    elif fmt == "github":
        click.echo(reportfmt.github(report), nl=False)
    else:
        colour = reportfmt.use_colour(sys.stdout)
        click.echo(reportfmt.text(report, color=colour), nl=False, color=colour)
    sys.exit(1 if reaches(report.all_findings(), config.fail_on) else 0)


#: what commands leave for the process exit to free (set by :func:`run`; None in-process)
_RETAINED: list[Any] | None = None


def _last_command() -> None:
    """When the process ends with this command (:func:`run`): no cyclic garbage collection from here
    on. The build pauses it anyway; turned back on at the end it would first walk every object the
    build made (a second at 10,000 items) just before the process exits."""
    if _RETAINED is not None:
        gc.disable()


def run() -> NoReturn:
    """The console entry point: :func:`main`, then exit without tearing down the heap.

    A large build leaves a heap of millions of objects that the interpreter
    would free one by one at exit (seconds at 10,000 items) for nothing: every
    file is closed and the cache saved when the command returns, so the
    process flushes its standard streams and ends.
    """
    global _RETAINED
    _RETAINED = []
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    os._exit(code)


__all__ = ["Report", "main", "run"]
