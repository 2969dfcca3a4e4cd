"""Readers and writers. Each submodule is the only user of its third-party library."""

__all__: list[str] = []
