"""`python -m escalator_sla_timer`: run the SLA timer service."""

from escalator_shared.http.app import serve
from escalator_sla_timer.bootstrap import create_app
from escalator_sla_timer.settings import SlaTimerSettings

if __name__ == "__main__":
    serve(SlaTimerSettings, create_app)
