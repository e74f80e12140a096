"""Fake upstream servers (CallRail v3, …) for the demo and end-to-end tests.

Runs as its own process (`python -m sandbox --port 8001`); the product talks to it over HTTP
exactly as it talks to the real services, and never imports this package.
"""
