"""Problems of the run (not of the catalog): one small exception tree.

Problems in the catalog are :class:`~mlm_site.findings.Finding` data, never
exceptions. These are for bad options, unwritable output, missing templates:
the CLI turns each into one clear message and exit code 2.
"""

from __future__ import annotations


class MlmSiteError(Exception):
    """Base of every error of a run; ``str(err)`` is the message for the user."""

    exit_code = 2


class ConfigError(MlmSiteError):
    """A bad option, configuration file or combination of options."""


class OutputError(MlmSiteError):
    """The output folder is unsafe or cannot be written."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"output folder {path}: {reason}")
        self.path = path
        self.reason = reason


class TemplateError(MlmSiteError):
    """A template is missing or broken."""


class RootUnreadable(MlmSiteError):
    """The catalog root itself could not be read at all."""

    def __init__(self, href: str, reason: str) -> None:
        super().__init__(f"cannot read {href}: {reason}")
        self.href = href
        self.reason = reason
