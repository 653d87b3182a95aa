"""Tests of sourcebook.search."""
