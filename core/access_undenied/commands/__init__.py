"""Subcommands of the `aws-access-undenied` command line, one module each."""
