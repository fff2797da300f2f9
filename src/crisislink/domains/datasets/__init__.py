"""Line 4: partners' datasets and live feeds, each with an owner, a marking and a point of contact to call."""
