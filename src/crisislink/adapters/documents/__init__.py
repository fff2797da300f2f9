"""Printable documents made from read models: situation reports as HTML and PDF, rendered offline."""
