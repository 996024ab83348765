"""Hub and national dashboards, course statistics and exports. Every figure is a SQL aggregate."""
