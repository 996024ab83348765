"""The home page, the dashboard and site-wide pages."""
