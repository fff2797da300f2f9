"""Ways in: the web application (API and console), the command line, workers."""
