"""`python -m escalator_vendor_gateway`: run the vendor gateway service."""

from escalator_shared.http.app import serve
from escalator_vendor_gateway.bootstrap import create_app
from escalator_vendor_gateway.settings import VendorGatewaySettings

if __name__ == "__main__":
    serve(VendorGatewaySettings, create_app)
