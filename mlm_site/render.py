"""The Jinja2 environment: autoescape on, strict undefined, a template lookup chain.

Lookup order: the user's ``--templates`` folder, then the built-in theme. A
user template can extend the built-in one it replaces with
``{% extends "default:card.html" %}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mlm_site.config import builtin_templates
from mlm_site.errors import TemplateError
from mlm_site.write import relative


def json_script(value: Any) -> Markup:
    """JSON safe to embed in a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
    return Markup(text)


@jinja2.pass_context
def _url(ctx: jinja2.runtime.Context, target: str) -> str:
    """URL of a site-root-relative path from the page being rendered.

    Relative by default; absolute from ``url_base`` when the context sets one
    (the 404 page, which the server returns for any missing path).
    """
    base = ctx.get("url_base")
    if isinstance(base, str) and base:
        return base.rstrip("/") + "/" + target.lstrip("/")
    return relative(str(ctx.get("page_path", "index.html")), target)


def _pointer_label(pointer: str) -> str:
    return pointer or "(document)"


def make_environment(user_templates: Path | None = None, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of the theme (user templates first, ``default:`` the built-in ones).

    ``compiled``: a folder where compiled templates are kept between builds (keyed by their
    source, so an edited template compiles again); compiling the theme costs a tenth of a second
    in each process that renders.
    """
    builtin = builtin_templates()
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise TemplateError(f"templates folder {user_templates} does not exist")
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    default = jinja2.FileSystemLoader(str(builtin))
    loaders.append(default)
    loaders.append(jinja2.PrefixLoader({"default": default}, delimiter=":"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(compiled),
    )
    env.globals["url"] = _url
    env.filters["json_script"] = json_script
    env.filters["pointer"] = _pointer_label
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # templates compile every time: slower, never wrong
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def render_page(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    """Render one page; template problems become a :class:`TemplateError` naming the template."""
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name!r} not found") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.filename or exc.name}: line {exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {template}: {exc.message}") from exc
