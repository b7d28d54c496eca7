"""The graph canvas: drawing a scene, placement, the graph controller, navigation."""
