"""Interactive widgets of the book.

Each widget is built by a function that returns the ipywidgets object and exposes its
``update`` logic as plain functions, so tests can drive every slider position without a
browser or a kernel.
"""
