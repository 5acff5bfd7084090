"""How each enterprise stands: the 105-indicator eco-code, colours, history, QR code and public page."""
