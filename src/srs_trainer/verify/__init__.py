"""Answer verification: running the code a question is about and judging the answer."""
