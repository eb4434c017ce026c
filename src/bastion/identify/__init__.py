"""Identification stage: what each confirmed track is (class) and whose it is (affiliation)."""

from bastion.identify.classify import ClassifierParams, classify
from bastion.identify.identity import IdentityBook, IdentityChange

__all__ = ["ClassifierParams", "IdentityBook", "IdentityChange", "classify"]
