"""regmap's limits on what it reads, each raised through an environment variable.

:data:`LIMITS` bounds every YAML, JSON and CSV document and the knowledge base as a whole;
:data:`XLSX_LIMITS` bounds workbooks read from outside. Both are :class:`EnvLimits`: a
variable is read when its group is first needed, so a bad value fails the read it bounds with
regmap's own ``invalid-limit`` error and never ``import regmap``. ``docs/security.md`` lists
the limits and their defaults.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, MutableMapping

from regmap.errors import RegmapError

__all__ = ["LIMITS", "XLSX_LIMITS", "EnvLimits", "env_limit"]

_WHOLE_NUMBER = re.compile(r"[0-9]+(?:_[0-9]+)*")


def env_limit(variable: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """The limit set by the environment variable ``variable``, or ``default`` when it is unset.

    The value must be a positive whole number in at most 4,000 ASCII digits, which may be
    grouped with single underscores as in Python (``64_000_000``); blanks around it are
    ignored. Anything else is refused rather than guessed at: ``abc``, ``0``, ``-5``,
    ``+5``, ``1e6``, ``1.5``, ``64MB``, ``0x40``, an empty value.

    Args:
        variable: The name of the environment variable.
        default: The limit when the variable is not set.
        environ: Where to look the variable up; ``os.environ`` when not given.

    Raises:
        RegmapError: ``invalid-limit``, naming the variable and its value.

    Examples:
        >>> from regmap.io.limits import env_limit
        >>> env_limit("REGMAP_MAX_DEPTH", 64, {})
        64
        >>> env_limit("REGMAP_MAX_NODES", 2_000_000, {"REGMAP_MAX_NODES": "5_000_000"})
        5000000
        >>> env_limit("REGMAP_MAX_DEPTH", 64, {"REGMAP_MAX_DEPTH": "abc"})
        Traceback (most recent call last):
        ...
        regmap.errors.RegmapError: REGMAP_MAX_DEPTH='abc' is not a positive whole number ...
    """
    value = (os.environ if environ is None else environ).get(variable)
    if value is None:
        return default
    text = value.strip()
    if _WHOLE_NUMBER.fullmatch(text) and len(text) <= 4000:  # int() refuses 4,300 digits
        number = int(text)
        if number > 0:
            return number
    shown = repr(value[:40]) + ("..." if len(value) > 40 else "")
    raise RegmapError(
        f"{variable}={shown} is not a positive whole number (write digits such as 5000 or "
        f"5_000_000; unset it for the default, {default:_})",
        code="invalid-limit",
    )


class EnvLimits(MutableMapping[str, int]):
    """Named limits, each set by an environment variable that is read when first needed.

    ``import regmap`` never reads the variables, so it cannot fail because of one. The first
    time any limit of the mapping is needed, all of its variables are read with
    :func:`env_limit`: the whole group, so that whether an operation fails does not depend on
    which limits the file at hand happens to reach. A bad value raises regmap's own
    ``RegmapError`` (``invalid-limit``) from that operation, which the command line prints as
    a one-line message; it is never replaced by the default. Good values are kept for the
    rest of the process; bad ones are not, so that fixing ``os.environ`` in a running
    notebook is enough.

    An assigned value overrides the variable; deleting a limit forgets its value, so that
    the next use reads the variable again. Only the declared names exist.

    Why not refuse a bad value at import: that would stop a notebook that never reads the
    kind of file the limit bounds, and it would escape the command line's error handling as a
    traceback, since the ``regmap`` command imports regmap before it can catch anything.

    Examples:
        >>> from regmap.io.limits import EnvLimits
        >>> limits = EnvLimits({"max_depth": ("REGMAP_EXAMPLE_DEPTH", 64)})
        >>> limits["max_depth"], list(limits)
        (64, ['max_depth'])
        >>> limits["max_depth"] = 10
        >>> dict(limits)
        {'max_depth': 10}
    """

    def __init__(self, variables: Mapping[str, tuple[str, int]]) -> None:
        #: The environment variable and the default of each limit.
        self.variables: dict[str, tuple[str, int]] = dict(variables)
        self._values: dict[str, int] = {}

    def __getitem__(self, name: str) -> int:
        values = self._values
        if len(values) < len(self.variables):
            read = {n: env_limit(*v) for n, v in self.variables.items() if n not in values}
            values.update(read)
        return values[name]

    def __setitem__(self, name: str, value: int) -> None:
        if name not in self.variables:
            raise KeyError(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RegmapError(
                f"limit {name} must be a positive whole number, not {value!r}",
                code="invalid-limit",
            )
        self._values[name] = value

    def __delitem__(self, name: str) -> None:
        if name not in self.variables:
            raise KeyError(name)
        self._values.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


#: Limits on what regmap reads; each can be raised through an environment variable, read
#: when a limit is first needed (see :class:`EnvLimits`).
LIMITS = EnvLimits(
    {
        "max_file_bytes": ("REGMAP_MAX_FILE_BYTES", 64 * 1024 * 1024),
        "max_aliases": ("REGMAP_MAX_ALIASES", 100),
        "max_depth": ("REGMAP_MAX_DEPTH", 64),
        "max_nodes": ("REGMAP_MAX_NODES", 2_000_000),
        "max_controls": ("REGMAP_MAX_CONTROLS", 100_000),
    }
)

#: Limits for workbooks read from outside; each can be raised through an environment variable,
#: read when a limit is first needed (see :class:`EnvLimits`).
XLSX_LIMITS = EnvLimits(
    {
        "max_uncompressed_bytes": ("REGMAP_MAX_XLSX_BYTES", 200 * 1024 * 1024),
        "max_ratio": ("REGMAP_MAX_XLSX_RATIO", 200),
        "max_entries": ("REGMAP_MAX_XLSX_ENTRIES", 10_000),
        "max_rows": ("REGMAP_MAX_XLSX_ROWS", 100_000),
    }
)
