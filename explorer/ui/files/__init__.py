"""Files the window writes: images, headless export, interactive pages."""
