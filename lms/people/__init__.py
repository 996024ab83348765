"""People as staff see them: role-aware home pages, the volunteer record, people search."""
