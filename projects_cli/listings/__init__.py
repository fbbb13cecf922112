"""Listings: compact rows for big results, and their text, JSON and CSV forms.

Standard library only; the CLI writes them to stdout, services build them.
"""
