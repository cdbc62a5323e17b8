"""The page routes: each turns a request into backend calls and a rendered template."""
