"""Options of the golden-site tests.

``pytest tests/golden --update-golden`` (or ``MLM_SITE_UPDATE_GOLDEN=1``) rewrites the
committed copy under ``tests/golden/sample_site/`` instead of comparing with it;
review the result with ``git diff tests/golden`` before committing.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/sample_site/ from a fresh build of sample_catalog/ (review the git diff)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    # the option exists only when this conftest was loaded at start-up (pytest tests/golden ...)
    flag = bool(request.config.getoption("--update-golden", default=False))
    return flag or os.environ.get("MLM_SITE_UPDATE_GOLDEN", "") not in ("", "0")
