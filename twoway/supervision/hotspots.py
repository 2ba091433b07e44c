"""Hotspot terms (R-3.9): the words residents use most in their appeals, found with jieba."""

import tempfile
from collections import Counter
from functools import cache

from twoway.appeals.models import Appeal

from . import kpis

SAMPLE = 3000  # the newest appeals of the period: enough for stable top terms, fast at any size
# Words that say nothing about the matter itself.
STOP = set(
    "的 了 和 是 在 有 我 我们 你 他 她 它 也 都 就 很 请 希望 已经 没有 一个 问题 情况 反映 需要 能够 可以 进行 "
    "影响 严重 经常 长期 无人 不到 多日 一周 小区 居民 社区 号楼 单元 楼下 楼上 楼道 导致 存在 因为 所以 但是 "
    "还是 这个 那个 什么 怎么 如何 帮助 协调 处理 解决 尽快 相关 部门 不便 目前 现在 每天 时候".split()
)


@cache
def _tokenizer():
    import jieba

    tk = jieba.Tokenizer()
    # jieba writes its cache to the temp folder, never into the working tree.
    tk.tmp_dir = tempfile.gettempdir()
    import logging

    jieba.setLogLevel(logging.WARNING)
    return tk


def top_terms(texts, limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent words of two characters or more, stop words left out; each text counts
    a word once."""
    tk = _tokenizer()
    counts: Counter = Counter()
    for text in texts:
        words = {w for w in tk.lcut(text) if len(w) >= 2 and w not in STOP and not w.isdigit()}
        counts.update(words)
    return counts.most_common(limit)


def terms(unit, period, category_id=None, limit: int = 20) -> list[tuple[str, int]]:
    ids = kpis.facts_for(unit, period, category_id).order_by("-created_at").values("appeal_id")[:SAMPLE]
    texts = Appeal.objects.filter(pk__in=ids).values_list("description", flat=True)
    return top_terms(texts, limit)
