"""srs-trainer: turn quiz questions into durable knowledge."""

__version__ = "0.1.0"
