"""Courses: tracks, course content imported from Markdown sources, and its rendering."""
