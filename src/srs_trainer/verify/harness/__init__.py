"""What ``srs verify`` runs in a check's subprocess (never imported by the rest of the package).

``run`` is the subprocess's entry point; ``django_app`` is the tiny Django app (``MyModel``)
that the ``django`` harness installs.
"""
