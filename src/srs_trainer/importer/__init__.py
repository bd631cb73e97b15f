"""Quiz-page import: reading a page into the deck model and merging into a source."""
