from tests.admin.fixtures import admin_browser, singer_browser

__all__ = ["admin_browser", "singer_browser"]
