"""Albums: a singer's albums (see admin.py)."""
