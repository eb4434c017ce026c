"""Bastion: open-source base air defence, from sensing to simulated engagement under human control."""

__version__ = "0.1.0"
__all__ = ["__version__"]
