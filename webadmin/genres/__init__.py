"""Genres section."""
