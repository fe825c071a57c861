"""The users section."""
