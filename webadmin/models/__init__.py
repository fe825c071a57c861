"""Every model, imported once so the mapper and Alembic see the whole schema."""

from .album import Album
from .audit import AuditEvent
from .base import Base, Model, live, utcnow
from .config import SystemConfig
from .deletion import DeletedRow, Deletion
from .enums import BillingInterval, ConfigValueType, SongStatus, SubscriptionStatus, UserRole
from .genre import Genre
from .localization import LocalizationString
from .media import MediaFile
from .plan import SubscriptionPlan
from .song import Song
from .staged_import import StagedImport
from .subscription import UserSubscription
from .user import User

__all__ = [
    "Album", "AuditEvent", "Base", "DeletedRow", "Deletion", "Model", "live", "utcnow",
    "BillingInterval", "ConfigValueType", "SongStatus", "SubscriptionStatus", "UserRole",
    "Genre", "LocalizationString", "MediaFile", "Song", "StagedImport", "SubscriptionPlan",
    "SystemConfig",
    "User",
    "UserSubscription",
]
