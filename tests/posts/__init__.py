"""Tests of sourcebook.posts."""
