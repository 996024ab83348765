"""Admins: hubs and people's roles across the whole platform."""
