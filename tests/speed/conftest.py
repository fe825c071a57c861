from tests.admin.fixtures import admin_browser, other_singer_browser, singer_browser

__all__ = ["admin_browser", "other_singer_browser", "singer_browser"]
