"""Template tag libraries of the enterprises app."""
