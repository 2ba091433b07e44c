"""Similar open appeals in the same community are suggested (jieba + TF-IDF, offline)."""

from twoway.appeals.similar import similar_open_appeals, tokens

from .appeal_helpers import raise_appeal


def test_chinese_text_is_tokenised_into_words():
    words = tokens("三号楼楼道堆放杂物影响通行")
    assert "楼道" in words and "杂物" in words


def test_similar_appeals_in_the_community_are_suggested(tree):
    base = raise_appeal(tree, description="3号楼楼道里堆满了杂物，影响通行，存在消防隐患")
    same = raise_appeal(tree, who="group_leader", description="楼道杂物堆放太多，消防通道被堵")
    other_topic = raise_appeal(
        tree, who="group_leader", description="小区东门路灯晚上不亮", category_id=base.category_id
    )
    far = raise_appeal(tree, who="far_resident", description="楼道里堆满了杂物，影响通行")
    suggested = [a for a, _score in similar_open_appeals(base)]
    assert same in suggested
    assert other_topic not in suggested
    assert far not in suggested  # another community


def test_closed_appeals_are_not_suggested(tree):
    from twoway.appeals import flow

    base = raise_appeal(tree, description="楼道里堆满了杂物")
    other = raise_appeal(tree, who="group_leader", description="楼道杂物堆满")
    flow.appeal_return(user=tree["group_leader"].user, appeal_id=other.pk, reason="重复")
    assert similar_open_appeals(base) == []
