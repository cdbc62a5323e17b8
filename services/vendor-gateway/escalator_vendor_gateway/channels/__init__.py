"""How cases reach vendors: one interface, one adapter per channel (email, REST API)."""
