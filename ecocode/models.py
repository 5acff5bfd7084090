"""Models of the eco-code (built in the eco-code issue)."""
