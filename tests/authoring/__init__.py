"""Tests of sourcebook.authoring."""
