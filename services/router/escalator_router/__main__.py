"""`python -m escalator_router`: run the router service."""

from escalator_router.bootstrap import create_app
from escalator_router.settings import RouterSettings
from escalator_shared.http.app import serve

if __name__ == "__main__":
    serve(RouterSettings, create_app)
