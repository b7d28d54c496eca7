"""The app as a desktop citizen: per-user menu entries, file associations and window placement.

Qt-free: ``autograd-explorer install-desktop`` runs without a display, and the tests build each
platform's files in a temporary home with the platform faked.
"""
