"""The Qt desktop app: draws the core's documents; imported only when a window is asked for."""
