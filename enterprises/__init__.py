"""Who is supervised and where: areas, enterprises, permits, outlets, limits, users, jurisdiction."""
