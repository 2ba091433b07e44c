"""Similar open appeals in the same community (R-3, 类案合并): jieba tokens and TF-IDF
cosine similarity, computed here with no network model."""

import math
import tempfile
from collections import Counter
from functools import lru_cache

import jieba

from .models import OPEN_STATUSES, Appeal

jieba.dt.tmp_dir = tempfile.gettempdir()
jieba.setLogLevel(60)
THRESHOLD = 0.25
STOP = set(
    "的 了 和 是 在 有 我 我们 请 能 不 也 都 就 与 及 或 一个 这个 那个 因为 所以 已经 还 很 被 把"
    " 对 让 给 从 到 为 中 上 下".split()
)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    return tuple(
        t for t in jieba.lcut_for_search(text or "") if t.strip() and t not in STOP and not t.isspace() and len(t) > 1
    )


def _vectors(docs: list[tuple[str, ...]]) -> list[dict[str, float]]:
    df = Counter(t for doc in docs for t in set(doc))
    n = len(docs)
    vectors = []
    for doc in docs:
        tf = Counter(doc)
        vec = {t: (c / len(doc)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()} if doc else {}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def similar_open_appeals(appeal: Appeal, *, limit: int = 5) -> list[tuple[Appeal, float]]:
    """Open appeals from the same community as this one, most similar first."""
    community = appeal.origin_unit.parent
    candidates = list(
        Appeal.objects.filter(status__in=OPEN_STATUSES, origin_unit__parent=community)
        .exclude(pk=appeal.pk)
        .select_related("category", "handling_unit")
        .order_by("-created_at")[:500]
    )
    if not candidates:
        return []
    docs = [tokens(appeal.description + " " + appeal.category.name)] + [
        tokens(c.description + " " + c.category.name) for c in candidates
    ]
    vectors = _vectors(docs)
    scored = [(c, cosine(vectors[0], v)) for c, v in zip(candidates, vectors[1:], strict=True)]
    scored = [(c, round(s, 2)) for c, s in scored if s >= THRESHOLD]
    return sorted(scored, key=lambda cs: -cs[1])[:limit]
