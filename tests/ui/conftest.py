from tests.admin.fixtures import admin_browser, singer_browser  # noqa: F401 - fixtures
