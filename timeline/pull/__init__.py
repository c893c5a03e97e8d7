"""One pull: the incident window, then every source read from files or live APIs into a bundle."""
