"""``MyModel``, the model that the quiz questions' views query.

Imported only inside a check's subprocess, after the harness has configured Django.
"""

from __future__ import annotations

from django.db import models


class MyModel(models.Model):
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "srs_verify"
        db_table = "srs_verify_mymodel"
