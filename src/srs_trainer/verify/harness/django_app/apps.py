"""The harness app's config: a short label, so the table and errors read ``srs_verify``."""

from __future__ import annotations

from django.apps import AppConfig


class VerifyAppConfig(AppConfig):
    name = "srs_trainer.verify.harness.django_app"
    label = "srs_verify"
    default_auto_field = "django.db.models.AutoField"
