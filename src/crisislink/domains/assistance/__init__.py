"""Line 2: mutual assistance and joint deployment (capability catalogue, unit registry, requests, offers)."""
