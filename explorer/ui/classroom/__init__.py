"""Teaching: the lesson gallery, presentation mode and handouts."""
