"""The permit platform's registry tables: their columns (``tables``), reading files (``parsing``) and
turning cell values into the platform's codes (``mapping``). Writes live in ``enterprises.services``."""
