"""Tests of sourcebook.navigation."""
