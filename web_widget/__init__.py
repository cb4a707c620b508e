"""Browser code: the visitor widget (`widget.js`) and the demo web shop (`demo/`).

A package only so the server can find these files once Samsvar is installed; it holds no
Python code and imports nothing (import-linter keeps it that way).
"""
