"""Subscriptions: listeners on plans (see admin.py)."""
