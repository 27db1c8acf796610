"""The ``headwater`` command line: click commands over definitions, execution and storage.

``main.py`` is the entry point; each command group lives in its own small module, and
``loading.py`` finds the user's ``Definitions`` for every command that needs them.
"""
