"""``python -m srs_trainer.cli`` runs the ``srs`` command."""

from srs_trainer.cli import main

if __name__ == "__main__":
    main(prog_name="srs")
