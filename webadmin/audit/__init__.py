"""The audit view: every soft-deleted row in one place (restore, purge) and the whole change log.

``deletions`` is the one soft-delete / restore / purge path ``ModelAdmin`` writes through;
``views`` holds /audit/ and /audit/log; ``log`` reads and formats entries.
"""
