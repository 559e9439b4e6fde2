"""GraphFrames for the graph stages: one way to build a graph and run its iterative algorithms.

Every graph stage builds its GraphFrame through `graph_frame`, which first checks that the JVM
half of GraphFrames is on the session's classpath (`require_graphframes`): a submission that
forgot the package fails with its coordinate, not with a ClassNotFoundException halfway through a
run. The iterative algorithms checkpoint into the session's checkpoint dir (jobs/session.py sets
one on every session), so their lineage stays short whatever the number of iterations.

Vertices carry an `id` column, edges `src` and `dst`, as GraphFrames expects.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.storagelevel import StorageLevel

from jobs.session import require_graphframes

# graphframes-py 0.11.0 declares connectedComponents(max_iter=2 ^ 31 - 2), which Python reads as
# XOR: 31 iterations. The two-phase algorithm needs O(log n) rounds, so 31 is rarely reached,
# but a bound that silently stops early would return split components: name a real one.
MAX_ITERATIONS = 2**31 - 2
CHECKPOINT_INTERVAL = 2


def graph_frame(vertices: DataFrame, edges: DataFrame):
    """A GraphFrame over (id, ...) vertices and (src, dst, ...) edges."""
    from graphframes import GraphFrame

    require_graphframes(vertices.sparkSession)
    return GraphFrame(vertices, edges)


def connected_components(graph, algorithm: str = "two_phase") -> DataFrame:
    """(id, ..., component) for every vertex. `algorithm` is GraphFrames' own: "two_phase" (its
    default, also called "graphframes") or "graphx". With long vertex ids a component is labelled
    by its smallest id. GraphFrames returns the result persisted and materialised: callers reuse
    it without recomputing the iterations, and unpersist it when done."""
    return graph.connectedComponents(
        algorithm=algorithm,
        checkpointInterval=CHECKPOINT_INTERVAL,
        # -1: no manual broadcast of large components; AQE splits the skewed joins instead
        # (GraphFrames' recommendation: a giant component is the skew of a real collaboration graph).
        broadcastThreshold=-1,
        max_iter=MAX_ITERATIONS,
        storage_level=StorageLevel.MEMORY_AND_DISK,
    )


def label_propagation(graph, max_iter: int = 5) -> DataFrame:
    """(id, ..., label): static label propagation communities after max_iter rounds. The result
    is persisted by GraphFrames; the caller unpersists it when done."""
    return graph.labelPropagation(
        maxIter=max_iter,
        algorithm="graphx",
        checkpoint_interval=CHECKPOINT_INTERVAL,
        storage_level=StorageLevel.MEMORY_AND_DISK,
    )


def aggregate_messages(graph, aggregate: Column, to_src: Column | None = None, to_dst: Column | None = None) -> DataFrame:
    """(id, <aggregate's name>) for every vertex that received a message: GraphFrames'
    aggregateMessages with one aggregate column. graphframes 0.11.0 repeats the first column when
    given several (the result has it twice), so callers that need several aggregates pass one
    struct of them. GraphFrames persists the result; the caller unpersists it when done."""
    return graph.aggregateMessages(
        [aggregate],
        sendToSrc=[to_src] if to_src is not None else [],
        sendToDst=[to_dst] if to_dst is not None else [],
        intermediate_storage_level=StorageLevel.MEMORY_AND_DISK,
    )
