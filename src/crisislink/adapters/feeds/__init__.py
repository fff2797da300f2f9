"""Reading neighbours' CAP Atom feeds (MeteoAlarm, national warning services) over HTTP(S)."""
