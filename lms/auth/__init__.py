"""Accounts: registration, login, passwords and reset links."""
