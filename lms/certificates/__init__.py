"""Certificates: issuance by hubs, revocation, expiry, PDF, public verification, and the
log of lessons that certified volunteers lead."""
