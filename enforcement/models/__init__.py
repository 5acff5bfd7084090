"""Models of enforcement: inspection plans, inspections, cases, the positive list."""
