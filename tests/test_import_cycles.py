"""No module of the package imports itself back, however indirectly (type hints aside)."""

from __future__ import annotations

import grimp
import networkx as nx


def test_the_package_has_no_import_cycles() -> None:
    graph = grimp.build_graph("explorer", include_external_packages=False,
                              exclude_type_checking_imports=True)
    imports = nx.DiGraph()
    for module in graph.modules:
        imports.add_node(module)
        imports.add_edges_from((module, imported) for imported in graph.find_modules_directly_imported_by(module))
    cycles = [sorted(group) for group in nx.strongly_connected_components(imports) if len(group) > 1]
    assert cycles == []
