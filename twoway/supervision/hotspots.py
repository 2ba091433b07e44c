"""Hotspot terms (R-3.9): the words residents use most in their appeals, found with jieba.

Each appeal's words are found once, when the rollup first takes the appeal in (`terms_fill`,
stored in `AppealTerms`): a description does not change. A page then counts the stored words of
the newest SAMPLE appeals of its period, a bounded read however many appeals there are.
"""

import tempfile
from collections import Counter
from functools import cache

from django.db.models import Exists, Max, OuterRef, Subquery

from twoway.appeals.models import Appeal

from . import kpis, rollup
from .models import AppealTerms

SAMPLE = 3000  # the newest appeals of the period: enough for stable top terms, fast at any size
BATCH = 5000
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


def words(text: str) -> set[str]:
    """The distinct words of two characters or more in `text`, stop words and numbers left out."""
    return {w for w in _tokenizer().lcut(text) if len(w) >= 2 and w not in STOP and not w.isdigit()}


def _most_common(counts: Counter, limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def top_terms(texts, limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent words; each text counts a word once."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(words(text))
    return _most_common(counts, limit)


def terms_fill(*, appeal_ids=None, redo: bool = False) -> int:
    """Find and store the words of appeals that have none stored yet (of `appeal_ids`, or all,
    in id ranges); with `redo`, of every appeal again (after the stop words changed). Returns
    how many."""
    if redo:
        AppealTerms.objects.all().delete()
    todo = Appeal.objects.filter(~Exists(AppealTerms.objects.filter(appeal_id=OuterRef("pk")))).order_by()
    if appeal_ids is not None:
        ranges = [todo.filter(pk__in=appeal_ids)]
    else:
        highest = Appeal.objects.aggregate(m=Max("pk"))["m"] or 0
        ranges = (todo.filter(pk__gt=lo, pk__lte=lo + BATCH) for lo in range(0, highest, BATCH))
    done = 0
    for qs in ranges:
        rows = list(qs.values_list("pk", "description"))
        if rows:
            rollup.bulk_write(
                AppealTerms, ["appeal_id", "terms"], [(pk, " ".join(sorted(words(text)))) for pk, text in rows]
            )
            done += len(rows)
    return done


def terms(unit, period, category_id=None, limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent words in the newest SAMPLE appeals of the unit's area and period."""
    stored = AppealTerms.objects.filter(appeal_id=OuterRef("appeal_id")).values("terms")[:1]
    newest = (
        kpis.facts_for(unit, period, category_id)
        .order_by("-created_at")
        .annotate(words=Subquery(stored))
        .values_list("appeal_id", "words")[:SAMPLE]
    )
    counts: Counter = Counter()
    missing = []
    for appeal_id, found in newest:
        if found is None:  # not taken in by the rollup yet
            missing.append(appeal_id)
        elif found:
            counts.update(found.split(" "))
    if missing:
        for text in Appeal.objects.filter(pk__in=missing).values_list("description", flat=True):
            counts.update(words(text))
    return _most_common(counts, limit)
