"""The plans section."""
