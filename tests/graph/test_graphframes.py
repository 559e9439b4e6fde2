"""GraphFrames on the real JVM package: each algorithm the graph stages use, on toy graphs whose
answers are worked out by hand in the comments."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from jobs.graph import connected_components, graph_frame, label_propagation

# Components {1,2,3} (a path 1-2-3 written in both directions), {4,5} (one directed edge 5->4:
# components ignore direction), {6} (a self-loop only) and {7} (no edge at all).
CC_EDGES = [(1, 2), (3, 2), (5, 4), (6, 6)]
CC_VERTICES = [1, 2, 3, 4, 5, 6, 7]


def _groups(rows, key):
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[key], set()).add(row["id"])
    return sorted(map(sorted, groups.values()))


@pytest.mark.parametrize("algorithm", ["two_phase", "graphx"])
def test_connected_components_both_algorithms(spark, algorithm):
    vertices = spark.createDataFrame([(v,) for v in CC_VERTICES], "id long")
    edges = spark.createDataFrame(CC_EDGES, "src long, dst long")
    rows = connected_components(graph_frame(vertices, edges), algorithm=algorithm).collect()
    assert len(rows) == len(CC_VERTICES)  # every vertex, isolated ones included
    assert _groups(rows, "component") == [[1, 2, 3], [4, 5], [6], [7]]
    # Both algorithms label a component with its smallest vertex id when ids are longs.
    assert {row["id"]: row["component"] for row in rows} == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 6, 7: 7}


def test_connected_components_of_string_ids_with_the_library_default(spark):
    vertices = spark.createDataFrame([(v,) for v in "abcdef"], "id string")
    edges = spark.createDataFrame([("a", "b"), ("b", "c"), ("d", "e")], "src string, dst string")
    rows = graph_frame(vertices, edges).connectedComponents().collect()  # algorithm="graphframes"
    assert _groups(rows, "component") == [["a", "b", "c"], ["d", "e"], ["f"]]


def test_label_propagation_on_a_multigraph(spark):
    """Parallel edges weigh a neighbour's label: with unique majorities the synchronous rounds are
    deterministic. Undirected multiplicities: 1-2 x3, 2-3 x2, 1-3 x1, 3-4 x1, 4-5 x3, 5-6 x2, 4-6 x1.
    Round 1 (labels = ids): 1 sees {2:3, 3:1} -> 2; 2 sees {1:3, 3:2} -> 1; 3 sees {2:2, 1:1, 4:1}
    -> 2; 4 sees {5:3, 6:1, 3:1} -> 5; 5 sees {4:3, 6:2} -> 4; 6 sees {5:2, 4:1} -> 5.
    Round 2: 1 sees {1:3 (from 2), 2:1 (from 3)} -> 1; 2 sees {2:3 (from 1), 2:2 (from 3)} -> 2;
    3 sees {1:2 (from 2), 2:1 (from 1), 5:1 (from 4)} -> 1; 4 sees {4:3, 5:1, 2:1} -> 4;
    5 sees {5:3 (from 4), 5:2 (from 6)} -> 5; 6 sees {4:2 (from 5), 5:1 (from 4)} -> 4."""
    multiplicity = {(1, 2): 3, (2, 3): 2, (1, 3): 1, (3, 4): 1, (4, 5): 3, (5, 6): 2, (4, 6): 1}
    edges = spark.createDataFrame([pair for pair, n in multiplicity.items() for _ in range(n)], "src long, dst long")
    vertices = spark.createDataFrame([(v,) for v in range(1, 7)], "id long")
    graph = graph_frame(vertices, edges)
    one = {r["id"]: r["label"] for r in label_propagation(graph, max_iter=1).collect()}
    assert one == {1: 2, 2: 1, 3: 2, 4: 5, 5: 4, 6: 5}
    two = {r["id"]: r["label"] for r in label_propagation(graph, max_iter=2).collect()}
    assert two == {1: 1, 2: 2, 3: 1, 4: 4, 5: 5, 6: 4}


def test_aggregate_messages_sums_neighbour_papers(spark):
    """Each vertex receives the papers of its neighbours over both edge directions:
    edges a->b, b->c, a->c; papers a=1, b=10, c=100. a gets b+c = 110, b gets a+c = 101,
    c gets a+b = 11; the count of messages is each vertex's degree (2)."""
    from graphframes.lib import AggregateMessages as AM

    from jobs.graph import aggregate_messages

    vertices = spark.createDataFrame([("a", 1), ("b", 10), ("c", 100)], "id string, papers long")
    edges = spark.createDataFrame([("a", "b"), ("b", "c"), ("a", "c")], "src string, dst string")
    received = aggregate_messages(
        graph_frame(vertices, edges),
        F.struct(F.sum(AM.msg).alias("neighbour_papers"), F.count(AM.msg).alias("messages")).alias("m"),
        to_src=AM.dst["papers"],
        to_dst=AM.src["papers"],
    )
    assert received.columns == ["id", "m"]
    rows = {r["id"]: (r["m"]["neighbour_papers"], r["m"]["messages"]) for r in received.collect()}
    received.unpersist()
    assert rows == {"a": (110, 2), "b": (101, 2), "c": (11, 2)}


def test_motif_find_mutual_and_triangles(spark):
    """Directed edges a->b, b->a, b->c, c->a, c->d. Mutual pairs (x)-[]->(y); (y)-[]->(x): (a,b)
    and (b,a). Directed 3-cycles (x)->(y)->(z)->(x): a->b->c->a, found once per starting vertex:
    (a,b,c), (b,c,a), (c,a,b)."""
    vertices = spark.createDataFrame([(v,) for v in "abcd"], "id string")
    edges = spark.createDataFrame([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "d")], "src string, dst string")
    graph = graph_frame(vertices, edges)
    mutual = graph.find("(x)-[]->(y); (y)-[]->(x)").select("x.id", "y.id").collect()
    assert sorted(tuple(r) for r in mutual) == [("a", "b"), ("b", "a")]
    cycles = graph.find("(x)-[]->(y); (y)-[]->(z); (z)-[]->(x)").select("x.id", "y.id", "z.id").collect()
    assert sorted(tuple(r) for r in cycles) == [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")]


def test_degrees_and_pagerank_of_a_star(spark):
    """A star: hub h with leaves l1..l3, edges leaf->hub. In-degree of h is 3, out-degree of each
    leaf 1. PageRank with reset 0.15 puts h above every leaf, the leaves equal."""
    vertices = spark.createDataFrame([(v,) for v in ["h", "l1", "l2", "l3"]], "id string")
    edges = spark.createDataFrame([(leaf, "h") for leaf in ["l1", "l2", "l3"]], "src string, dst string")
    graph = graph_frame(vertices, edges)
    assert {r["id"]: r["degree"] for r in graph.degrees.collect()} == {"h": 3, "l1": 1, "l2": 1, "l3": 1}
    ranks = {r["id"]: r["pagerank"] for r in graph.pageRank(resetProbability=0.15, maxIter=10).vertices.collect()}
    assert ranks["l1"] == pytest.approx(ranks["l2"]) == pytest.approx(ranks["l3"])
    assert ranks["h"] > 2 * ranks["l1"]
