"""The package version, kept in one place for hatchling and the CLI."""

__version__ = "0.1.0"
