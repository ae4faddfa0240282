"""Shared core: database base, access rules, audit, mail, security, formatting."""
