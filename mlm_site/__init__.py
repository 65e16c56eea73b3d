"""mlm-site: static documentation sites of model cards for STAC catalogs using the MLM extension."""

#: the release (the package metadata reads it from here)
__version__ = "0.1.0"

__all__ = ["__version__"]
