"""Partners, nodes, people, points of contact, and the one policy that says who may see what."""
