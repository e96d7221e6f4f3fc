"""The round pages, one module per page: the program's matching page (``home``), a round with its
progress and proposals (``round``), and its review (``review``: swap, compare, publish)."""
