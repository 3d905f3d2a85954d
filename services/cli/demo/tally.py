"""What the demo itself saw during the run: its own counters, kept apart from what the services report, so that
the final table can compare both."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from services.cli.demo.plan import Story, Submission
from services.cli.demo.submitting import Answer


@dataclass
class Tally:
    planned: int = 0
    submitted: int = 0
    history_submitted: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    duplicate_dimensions: Counter[str] = field(default_factory=Counter)
    story_verdicts: Counter[tuple[str, str]] = field(default_factory=Counter)
    phone_from_wechat: int = 0
    with_alternate_phones: int = 0
    charged_fen: int = 0
    submit_errors: Counter[str] = field(default_factory=Counter)
    # lead id -> plan index of the submission that created it (today's leads only)
    leads: dict[str, int] = field(default_factory=dict)
    calls_started: int = 0
    calls_left_open: int = 0  # leads an agent left because their calls had not ended after every look
    call_refusals: Counter[str] = field(default_factory=Counter)
    outcomes_seen: Counter[str] = field(default_factory=Counter)
    call_outcome_seen: dict[str, str] = field(
        default_factory=dict
    )  # call id -> outcome when the agent looked
    pool_claims: int = 0
    follow_ups: Counter[str] = field(default_factory=Counter)

    def submission(self, planned: Submission, answer: Answer) -> None:
        if planned.story == Story.HISTORY:
            self.history_submitted += 1
            return
        self.submitted += 1
        self.verdicts[answer.verdict] += 1
        self.story_verdicts[(planned.story, answer.verdict)] += 1
        self.rejections.update(answer.rejections)
        if answer.verdict == "DUPLICATE":
            self.duplicate_dimensions.update(answer.matched)
        if answer.verdict in ("NEW", "RETURNING"):
            self.leads.setdefault(answer.lead_id, planned.index)
            self.phone_from_wechat += answer.phone_from_wechat
            self.with_alternate_phones += answer.alternate_phones > 0
        if answer.verdict != "REJECTED":
            self.charged_fen += planned.cost_fen

    @property
    def accepted(self) -> int:
        return self.verdicts["NEW"] + self.verdicts["RETURNING"]
