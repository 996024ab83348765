"""Notices: in-app notices, their email delivery through an outbox, preferences and unsubscribe."""
