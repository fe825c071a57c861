"""The localization section."""
