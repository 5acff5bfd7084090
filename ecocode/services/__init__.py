"""Writes of the eco-code: the catalogue's versions (``catalogue``), scoring (``scoring``) and the
public complaint form's filing (``complaints``)."""
