"""`python -m escalator_notifier`: run the notifier service."""

from escalator_notifier.bootstrap import create_app
from escalator_notifier.settings import NotifierSettings
from escalator_shared.http.app import serve

if __name__ == "__main__":
    serve(NotifierSettings, create_app)
