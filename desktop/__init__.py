"""The PySide6 desktop and the headless command line that shares its code paths.

Only modules under desktop/ import Qt, and only lazily from the command line's entry point.
"""
