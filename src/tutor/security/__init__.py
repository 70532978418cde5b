"""Defences against untrusted input: outbound requests (SSRF), instructions planted in documents,
links in answers.  See SECURITY.md for the threat model."""
