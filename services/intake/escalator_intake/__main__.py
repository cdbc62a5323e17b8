"""`python -m escalator_intake`: run the intake service."""

from escalator_intake.bootstrap import create_app
from escalator_intake.settings import IntakeSettings
from escalator_shared.http.app import serve

if __name__ == "__main__":
    serve(IntakeSettings, create_app)
