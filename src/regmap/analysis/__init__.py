"""Analyses over a knowledge base: gaps of a product, overlap of regimes, implementation plan."""

__all__: list[str] = []
