"""Web pages of the eco-code: the public page behind the QR code (``public``) and the pages of bureau
staff and enterprises (``staff``)."""
