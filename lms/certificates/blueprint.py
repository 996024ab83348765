"""The certificates blueprint, shared by its route modules (volunteers' and coordinators'
pages in routes.py, public verification in verification.py)."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
