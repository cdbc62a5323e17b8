"""The console: server-rendered pages technicians, managers and clients work in.

It keeps no state of its own beyond the signed-in person's cookies: every page reads, and every
button acts, through the other services' APIs with that person's session, so the access rules
live in one place (`escalator_shared.access`).
"""
