"""Business rules as plain Python: no Flask, no SQLAlchemy. Inputs in, values out."""
