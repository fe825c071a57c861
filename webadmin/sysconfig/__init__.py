"""The config section: typed system settings.

Named sysconfig so it does not shadow webadmin.config (the settings module); its URL section
is still "config".
"""
