from .cli import cli

# Guarded: extraction worker processes (forkserver/spawn) import the main module.
if __name__ == "__main__":
    cli(prog_name="archiver")
