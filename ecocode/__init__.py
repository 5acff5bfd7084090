"""How each enterprise stands: the 102-indicator eco-code, colours, history, QR code and public page."""
