"""Errors that end a run with a one-line message and exit code 2 (never a traceback)."""


class CvxlintError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 2


class UsageError(CvxlintError):
    """Bad command line: a missing path, an unknown rule code, a project without Convex."""


class ConfigError(CvxlintError):
    """A configuration file that cannot be read or has unknown keys or values."""


class NothingToCheck(UsageError):
    """Files were named but none belongs to a Convex app (pre-commit passing only files outside
    any app, in a monorepo): nothing to do. The CLI says so on stderr and exits 0."""
