"""Who must do what by when: work orders, 1357 deadlines, checklists, patrol rounds, complaints."""
