"""The first-start seed: the crisis-centre nodes and the real partner organisations (fictional contacts)."""
