"""Line 1: coordinated management of cross-border incidents (levels, common log, tasks, sitreps)."""
