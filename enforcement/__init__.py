"""The bureau's enforcement: inspection plans (double random), on-site and off-site inspections, the
positive list, cases and penalties, the enterprise file."""
