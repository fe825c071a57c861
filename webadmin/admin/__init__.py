"""The generic, declarative admin layer (Django's ModelAdmin idea). See options.py and site.py."""

from .forms import AdminForm, RelatedField
from .options import Column, FieldError, Impact, ModelAdmin
from .related import RelatedSource
from .site import site

__all__ = ["AdminForm", "Column", "FieldError", "Impact", "ModelAdmin", "RelatedField",
           "RelatedSource", "site"]
