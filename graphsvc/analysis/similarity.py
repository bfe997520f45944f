"""Sparse similarity join: the pairs of rows of a non-negative sparse matrix whose dot product reaches a threshold.

With unit rows the dot product is the cosine similarity. ``cosine_join`` finds every such pair without scoring
them all, by prefix filtering, as in AllPairs (Bayardo, Ma and Srikant, "Scaling up all pairs similarity
search", WWW 2007):

1. Features are ranked from the most common to the rarest. Each row is split into a *prefix*, its most common
   features, and a *suffix*, the rest, taking features into the prefix for as long as the prefix's norm stays
   below the threshold or its entries times their columns' maxima do. So two prefixes alone never reach the
   threshold: by the column maxima, or by Cauchy-Schwarz when the threshold is at most 1 (as for cosines).
2. Hence a pair that reaches the threshold shares a feature in at least one suffix. For rows ``x`` and ``y``::

       x·y = x·suffix(y) + suffix(x)·prefix(y) + prefix(x)·prefix(y)

   and one sparse product over the suffixes (the suffixes hold the rare features, so it is cheap) gives the
   first two terms for every candidate pair, a block of rows at a time.
3. The last term is bounded (by the product of the prefixes' norms, and by how much a prefix can add to any
   dot product) before it is computed, and computed exactly only for the candidates that can still reach the
   threshold.

The answer is exact: the same pairs as scoring every pair, up to a tolerance of ``1e-9`` on the threshold, so
that float rounding never decides a pair.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["cosine_join", "join_one"]

_EPS = 1e-9  # tolerance on the threshold, so that float rounding never decides a pair


def cosine_join(matrix: sp.spmatrix, threshold: float, chunk: int = 512) -> tuple[np.ndarray, ...]:
    """Row pairs ``i < j`` of a non-negative matrix whose dot product is at least ``threshold``.

    Returns arrays ``(i, j, dot product)``.

    >>> [a.tolist() for a in cosine_join(sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]), 0.5)]
    [[0, 1], [1, 2], [0.6, 0.8]]
    """
    m = _csr(matrix)
    if m.nnz == 0:
        return _concat([])
    prefix, suffix = _split_prefix(m, threshold)
    prefix_norms = _norms(prefix)
    prefix_reach = prefix @ prefix.max(axis=0).toarray().ravel()  # the most a prefix adds to any dot product
    columns = np.unique(prefix.indices)
    # x·y = x·suffix(y) + suffix(x)·prefix(y) + prefix(x)·prefix(y). The first two come from one product
    # and are zero only for pairs that share no indexed feature; for those x·y is the last term, which the
    # split keeps below the threshold. The last term is bounded before it is computed.
    left, right = sp.hstack([m, suffix], format="csr"), sp.hstack([suffix, prefix], format="csr")
    found = []
    for start in range(0, m.shape[0], chunk):
        stop = min(start + chunk, m.shape[0])
        part = left[start:stop] @ right[start:].T
        rows, cols = np.repeat(np.arange(start, stop), np.diff(part.indptr)), part.indices + start
        bound = np.minimum(prefix_norms[rows] * prefix_norms[cols], np.minimum(prefix_reach[rows], prefix_reach[cols]))
        keep = (cols > rows) & (part.data + bound >= threshold - _EPS)
        rows, cols, partial = rows[keep], cols[keep], part.data[keep]
        scores = partial + _prefix_dots(prefix[start:stop], columns, prefix, rows - start, cols)
        keep = scores >= threshold - _EPS
        found.append((rows[keep], cols[keep], scores[keep]))
    return _concat(found)


def join_one(matrix: sp.spmatrix, row: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The other rows whose dot product with ``row`` is at least ``threshold``: arrays ``(j, dot product)``.

    Only the rows sharing a feature with ``row`` (its columns, read as an inverted index) are scored;
    every other row's dot product is zero.

    >>> [a.tolist() for a in join_one(sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]), 1, 0.7)]
    [[2], [0.8]]
    """
    m = _csr(matrix)
    features = m[row]
    block = m.tocsc()[:, features.indices].tocsr()  # the candidates' entries on the row's features
    candidates = np.flatnonzero(np.diff(block.indptr))
    scores = block[candidates] @ features.data
    keep = (candidates != row) & (scores >= threshold - _EPS)
    return candidates[keep], scores[keep]


# -- helpers ---------------------------------------------------------------------------------------

def _split_prefix(m: sp.csr_matrix, threshold: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Each row's prefix (its most common features) and the rest, such that no two prefixes reach ``threshold``.

    A row's features go into its prefix while its norm stays below the threshold, or its entries times their
    columns' maxima do.
    """
    counts = np.diff(m.indptr)
    rank = np.empty(m.shape[1], dtype=np.int64)
    rank[np.argsort(-np.bincount(m.indices, minlength=m.shape[1]), kind="stable")] = np.arange(m.shape[1])
    order = np.lexsort((rank[m.indices], np.repeat(np.arange(m.shape[0]), counts)))
    maxima = m.max(axis=0).toarray().ravel()
    safe = threshold * (1 - 1e-7)
    in_prefix = np.empty(len(order), dtype=bool)
    in_prefix[order] = ((_running(m.data[order] ** 2, m.indptr) < safe ** 2)
                        | (_running(m.data[order] * maxima[m.indices[order]], m.indptr) < safe))
    parts = [sp.csr_matrix((np.where(in_prefix == side, m.data, 0.0), m.indices.copy(), m.indptr.copy()),
                           shape=m.shape) for side in (True, False)]
    for part in parts:
        part.eliminate_zeros()
    return parts[0], parts[1]


def _running(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Cumulative sums of ``values`` restarting at each row of a CSR layout."""
    running = np.cumsum(values)
    return running - np.repeat(np.concatenate([[0.0], running])[indptr[:-1]], np.diff(indptr))


def _prefix_dots(block: sp.csr_matrix, columns: np.ndarray, prefix: sp.csr_matrix, rows, cols) -> np.ndarray:
    """``block[rows[k]] · prefix[cols[k]]`` for every ``k``.

    Each (few) prefix entry is looked up in ``block`` made dense on the prefixes' ``columns``.
    """
    counts = np.diff(prefix.indptr)[cols]
    pair = np.repeat(np.arange(len(rows)), counts)
    position = np.repeat(prefix.indptr[cols] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    where = np.zeros(prefix.shape[1], dtype=np.int64)
    where[columns] = np.arange(len(columns))
    values = block[:, columns].toarray()[rows[pair], where[prefix.indices[position]]] * prefix.data[position]
    return np.bincount(pair, weights=values, minlength=len(rows))


def _row_kron(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    """Row-wise Kronecker product: the dot products of its rows are those of ``a``'s times ``b``'s.

    >>> _row_kron(sp.csr_matrix([[1.0, 2.0]]), sp.csr_matrix([[3.0, 0.0]])).toarray()
    array([[3., 0., 6., 0.]])
    """
    a, b = _csr(a), _csr(b)
    counts_b = np.diff(b.indptr)
    sizes = np.diff(a.indptr) * counts_b
    row = np.repeat(np.arange(a.shape[0]), sizes)
    offset = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    at_a = a.indptr[row] + offset // np.maximum(counts_b, 1)[row]
    at_b = b.indptr[row] + offset % np.maximum(counts_b, 1)[row]
    indices = a.indices[at_a].astype(np.int64) * b.shape[1] + b.indices[at_b]
    return sp.csr_matrix((a.data[at_a] * b.data[at_b], indices, np.concatenate([[0], np.cumsum(sizes)])),
                         shape=(a.shape[0], a.shape[1] * b.shape[1]))


def _pair_dots(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    m = _csr(m)
    return np.concatenate([np.zeros(0)] + [np.asarray(m[rows[k:k + chunk]].multiply(m[cols[k:k + chunk]])
                                                      .sum(axis=1)).ravel() for k in range(0, len(rows), chunk)])


def _csr(matrix) -> sp.csr_matrix:
    """A float64 CSR copy with duplicates summed and indices sorted."""
    m = sp.csr_matrix(matrix, dtype=np.float64)
    m.sum_duplicates()
    m.sort_indices()
    return m


def _norms(m: sp.csr_matrix) -> np.ndarray:
    """The Euclidean norm of each row."""
    return np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())


def _concat(found: list[tuple]) -> tuple[np.ndarray, ...]:
    """Chunks of ``(rows, cols, scores)`` joined into three arrays (empty ones when there are none)."""
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))
