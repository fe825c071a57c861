"""The generic, declarative admin layer (Django's ModelAdmin idea): the declarations a section
uses (types.py), ModelAdmin (options.py) and the registry (site.py). docs/ARCHITECTURE.md maps
the rest."""

from .forms import AdminForm, RelatedField
from .options import ModelAdmin
from .related import RelatedSource
from .site import site
from .types import Action, Column, FieldError, Impact, Owner, RelatedList

__all__ = ["Action", "AdminForm", "Column", "FieldError", "Impact", "ModelAdmin", "Owner",
           "RelatedField", "RelatedList", "RelatedSource", "site"]
