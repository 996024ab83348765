"""Hubs: regional volunteer hubs, their members and their coordinators' tools."""
