"""What gunicorn serves: ``gunicorn -c gunicorn.conf.py wsgi:app``; also ``flask --app wsgi``."""

import click

from webadmin import create_app
from webadmin.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    if click.get_current_context(silent=True) is None:
        raise  # gunicorn, or an import: refuse to start, with the whole message
    # ``flask --app wsgi …``: --help still lists the commands; running one prints one line.
    from webadmin.cli import unconfigured_app

    app = unconfigured_app(error)
