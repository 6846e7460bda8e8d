"""The `gpact` command line: thin front ends that parse input, call services and render output."""
