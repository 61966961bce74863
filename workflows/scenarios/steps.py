"""Every step definition, registered in ``STEPS`` by importing the modules that define them."""

from __future__ import annotations

from . import steps_checks, steps_common, steps_documents, steps_domain
from .registry import STEPS

MODULES = (steps_common, steps_checks, steps_documents, steps_domain)

__all__ = ["MODULES", "STEPS"]
