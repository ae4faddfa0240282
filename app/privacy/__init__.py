"""Data protection (UK GDPR, issue 20): the personal-data map, subject access, erasure,
retention and the privacy notice. The map itself is declared on the models' columns
with `app.privacy.declare` (which imports nothing of the app, so models can use it)."""
