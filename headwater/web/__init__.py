"""Headwater's web server: the HTTP API and the UI over storage and location snapshots."""
