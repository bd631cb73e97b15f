"""The Anki export: Markdown to Anki HTML, the genanki note types and package, the build."""
