"""Building the ordered timeline, its milestones and gaps, and the bundle."""
