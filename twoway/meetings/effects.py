"""What a passed motion does to its topic's appeals. The rules stay in the appeal domain:
this only calls its functions, with the decision as the reference on the timeline."""

from twoway.appeals import flow
from twoway.appeals.models import Status

from .models import Motion, MotionEffect


def decision_ref(motion: Motion) -> str:
    meeting = motion.topic.meeting
    return f"{meeting.type.name} {meeting.starts_at:%Y-%m-%d} · {motion.text}"[:100]


def apply_effect(*, user, motion: Motion) -> None:
    ref = decision_ref(motion)
    targets = motion.appeals.all() if motion.appeals.exists() else motion.topic.appeals.all()
    for appeal in targets.filter(status=Status.ACCEPTED):
        if motion.effect == MotionEffect.RESOLVE:
            flow.appeal_resolve(
                user=user, appeal_id=appeal.pk, outcome=motion.topic.plan or motion.text, decision_ref=ref
            )
        elif motion.effect == MotionEffect.ESCALATE:
            flow.appeal_escalate(user=user, appeal_id=appeal.pk, reason=motion.text, decision_ref=ref)
