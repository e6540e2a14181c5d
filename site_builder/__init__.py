"""Backprop Explained: Markdown lessons + a numpy backprop engine -> self-contained pages."""
__version__ = "0.1.0"
