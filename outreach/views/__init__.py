"""Web pages of outreach, one module per service; every page checks role and jurisdiction."""
