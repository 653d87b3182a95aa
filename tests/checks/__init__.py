"""The built site under the checkers the field trusts: Lighthouse, axe-core, the Nu HTML checker
and EPUBCheck."""
