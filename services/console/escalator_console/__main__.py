"""`python -m escalator_console`: run the console."""

from escalator_console.bootstrap import serve

if __name__ == "__main__":
    serve()
