"""One package per capability; pure Python, importing only the kernel."""
