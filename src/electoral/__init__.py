"""electoral: official-grade election results from raw returns."""

__version__ = "0.1.0"
