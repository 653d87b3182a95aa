"""Tests of sourcebook.knowledge."""
