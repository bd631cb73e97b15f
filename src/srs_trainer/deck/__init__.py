"""The source format: the deck model, stable ids, YAML loading and validation, lint, writer."""
