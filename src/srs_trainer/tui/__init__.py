"""The terminal screens: the line UI, the full-screen UI, screen text and charts."""
