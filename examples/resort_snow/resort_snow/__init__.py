"""Ski resort snow conditions: a first Headwater project."""
