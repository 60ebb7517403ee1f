"""Delivery: a plan's sFTP folder, reached with the settings in provider.yaml.

``settings`` reads a plan's ``sftp:`` block and resolves its credentials by reference
(never a secret in the file); ``hostkeys`` verifies and records server host keys in a
known_hosts file; ``sftp`` connects and moves files with nothing partial left under a
real name (to a temporary name, checked, renamed).
"""
