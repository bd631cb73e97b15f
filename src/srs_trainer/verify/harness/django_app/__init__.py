"""The Django app of the ``django`` harness: one model, ``MyModel(active=BooleanField)``."""
