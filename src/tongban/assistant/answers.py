"""Turning a question into an answer from the index: which service, which part of its
guide, and only the guide's (or the FAQ's, or the rule's) own text, each line with its
source. Below the confidence threshold: not sure, the closest services and the office's
contact. Outside the hall: a polite refusal. Ambiguous: one question with choices.

No database writes here (services.ask records the question)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.assistant.index import Built, knowledge

MAX_CHARS = 500  # a question longer than this is read as its first 500 characters
# Confident: the best service's documents hold most of the question (by IDF weight), or
# a fair share of it with a strong BM25 score. Chosen on bench/assistant_eval.tsv alone.
CONFIDENT = 0.8
CONFIDENT_PART = 0.25
STRONG_SCORE = 10.0
SUGGEST = 0.2  # and to be offered among the closest when not sure
_MEANINGFUL = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")

PARTS = {
    "overview": gettext_lazy("Overview"),
    "materials": gettext_lazy("Materials to submit"),
    "time_limit": gettext_lazy("Time limit"),
    "place": gettext_lazy("Place and hours"),
    "fee": gettext_lazy("Fee"),
    "conditions": gettext_lazy("Conditions"),
    "process": gettext_lazy("Process"),
    "contact": gettext_lazy("Enquiry phone"),
    "storage_period": gettext_lazy("Storage period"),
    "loan_rule": gettext_lazy("Borrowing rules"),
    "booking_rule": gettext_lazy("Booking rules"),
    "faq": gettext_lazy("Frequently asked questions"),
}
# where each part is on the guide page (cases/guide.html)
ANCHORS = {"materials": "materials", "faq": "faq"}
PART_ORDER = ["storage_period", "loan_rule", "booking_rule", "materials", "time_limit", "fee", "place", "contact",
              "conditions", "process"]


@dataclass
class Line:
    text: str
    source: str  # what it quotes: "新生集体户口迁入 · 办事指南 · 所需材料"
    link: str = ""


@dataclass
class Suggestion:
    code: str
    name: str
    link: str


@dataclass
class Reply:
    outcome: str  # models.Outcome
    message: str = ""
    service: Suggestion | None = None
    part: str = ""
    lines: list[Line] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label, value to send back)
    apply_link: str = ""
    guide_link: str = ""
    contact: str = ""
    confidence: float = 0.0
    question_id: int | None = None

    @property
    def part_label(self) -> str:
        return str(PARTS.get(self.part, ""))


@dataclass(frozen=True)
class Ranked:
    code: str
    score: float
    coverage: float
    best: str  # the key of its best document


def clean(text: str) -> str:
    text = (text or "").replace("\x00", "")
    return " ".join(text.split())[:MAX_CHARS]


def part_of(text: str) -> str:
    lowered = text.lower()
    cues = knowledge()["parts"]
    for part in PART_ORDER:
        if any(cue in lowered for cue in cues.get(part, ())):
            return part
    return "overview"


def _cues() -> list[str]:
    return sorted({cue for cues in knowledge()["parts"].values() for cue in cues}, key=len, reverse=True)


def content_of(text: str) -> str:
    """The question without the words that say which part is asked (多久, 带什么): they
    choose the part of the guide, not the service."""
    lowered = text.lower()
    for cue in _cues():
        if cue in lowered:
            lowered = lowered.replace(cue, " ")
    return lowered if _MEANINGFUL.search(lowered) else text


def rank(built: Built, text: str, *, k: int = 20, topics_too: bool | None = None) -> list[Ranked]:
    """The services the question is about, best first: each scored by its best document.
    A rule that serves no one service (a window's booking rules) comes first only when the
    question asks about booking or borrowing."""
    if topics_too is None:
        topics_too = part_of(text) in ("booking_rule", "loan_rule")
    best: dict[str, Ranked] = {}
    topics: list[Ranked] = []
    for hit in built.index.search(content_of(text), k=k):
        entry = built.entries[hit.key]
        if entry.service is None:
            topics.append(Ranked("", hit.score, hit.coverage, hit.key))
            continue
        kept = best.get(entry.service)
        if kept is None:
            best[entry.service] = Ranked(entry.service, hit.score, hit.coverage, hit.key)
        elif hit.coverage > kept.coverage:  # a better-covering document of the same service
            best[entry.service] = Ranked(entry.service, kept.score, hit.coverage, hit.key)
    ranked = sorted(best.values(), key=lambda r: (-r.score, r.code))
    if topics_too and topics and (not ranked or topics[0].score > ranked[0].score):
        ranked.insert(0, topics[0])
    return ranked


def _out_of_hall(text: str) -> bool:
    lowered = text.lower()
    data = knowledge()
    if not any(cue in lowered for cue in data["out_of_scope"]):
        return False
    domain = [w for w in data["words"] if len(w) > 1] + data["in_scope"]
    return not any(word in text for word in domain)


def _clarification(text: str) -> dict | None:
    for rule in knowledge()["clarify"]:
        if any(w in text for w in rule["when"]) and not any(w in text for w in rule["unless"]):
            return rule
    return None


def _suggestion(built: Built, code: str) -> Suggestion:
    return Suggestion(code, built.services[code].name, reverse("cases:guide", args=[code]))


def _contact(built: Built, near: list[str]) -> str:
    for code in near:
        service = built.services.get(code)
        if service and service.guide.get("enquiry_phone"):
            return _("%(unit)s, phone %(phone)s") % {"unit": service.unit, "phone": service.guide["enquiry_phone"]}
    for service in built.services.values():
        if service.guide.get("enquiry_phone"):
            return _("%(unit)s, phone %(phone)s") % {"unit": service.unit, "phone": service.guide["enquiry_phone"]}
    return ""


def not_sure(built: Built | None, ranked: list[Ranked], confidence: float = 0.0) -> Reply:
    codes = [r.code for r in ranked if r.code and r.coverage >= SUGGEST][:3]
    return Reply("not_sure", _("I am not sure I understood. Did you mean one of these? You can also ask the office."),
                 suggestions=[_suggestion(built, c) for c in codes] if built else [],
                 contact=_contact(built, codes) if built else "", confidence=confidence)


def answer(built: Built | None, text: str, *, choice: str = "") -> Reply:
    """The reply to `text` (already cleaned). `choice` is a value a clarifying question offered."""
    if not text or not _MEANINGFUL.search(text):
        return Reply("empty", _("Ask me about a service in your own words, for example: how do I borrow the "
                                "household card?"))
    if _out_of_hall(text):
        return Reply("refused", _("Sorry, I can only answer questions about the services of this hall."))
    if built is None:
        return not_sure(None, [])
    picked = _picked(choice) if choice else None
    if picked is not None:
        text = f"{picked} {text}"
    elif (rule := _clarification(text)) is not None:
        choices = [(label, f"{rule['key']}:{n}") for n, (label, query) in enumerate(rule["choices"])
                   if _confident(built, query)]
        if len(choices) > 1:
            return Reply("clarify", str(CLARIFY_QUESTIONS.get(rule["question"], CLARIFY_QUESTIONS["proof"])),
                         choices=choices)
    ranked = rank(built, text)
    if not ranked or not confident(ranked[0]):
        return not_sure(built, ranked, ranked[0].coverage if ranked else 0.0)
    top = ranked[0]
    if not top.code:
        return _topic_reply(built, top)
    return _service_reply(built, top, part_of(text))


CLARIFY_QUESTIONS = {
    "move": gettext_lazy("Do you want to move your household registration in or out?"),
    "proof": gettext_lazy("Which certificate do you need?"),
}


def _picked(choice: str) -> str | None:
    key, _sep, n = choice.partition(":")
    for rule in knowledge()["clarify"]:
        if rule["key"] == key and n.isdigit() and int(n) < len(rule["choices"]):
            return rule["choices"][int(n)][1]
    return None


def confident(top: Ranked) -> bool:
    return top.coverage >= CONFIDENT or (top.coverage >= CONFIDENT_PART and top.score >= STRONG_SCORE)


def _confident(built: Built, query: str) -> bool:
    """A choice is offered only when the catalog has its service: it must hold the choice whole."""
    ranked = rank(built, query, k=5)
    return bool(ranked) and ranked[0].coverage >= CONFIDENT


def _topic_reply(built: Built, top: Ranked) -> Reply:
    entry = built.entries[top.best]
    part = {"booking": "booking_rule", "loan": "loan_rule"}.get(entry.kind, "faq")
    source = f"{entry.title} · {PARTS[part]}"
    return Reply("answered", "", part=part, lines=[Line(t, source, entry.link) for t in entry.lines],
                 confidence=top.coverage, guide_link=entry.link)


def _service_reply(built: Built, top: Ranked, part: str) -> Reply:
    service = built.services[top.code]
    entry = built.entries[top.best]
    guide_link = reverse("cases:guide", args=[service.code])
    reply = Reply("answered", "", service=_suggestion(built, service.code), part=part, confidence=top.coverage,
                  guide_link=guide_link, apply_link=reverse("cases:apply", args=[service.code]))
    if entry.kind == "faq" and part in ("overview", "conditions", "storage_period", "process"):
        reply.part = "faq"
        reply.lines = [Line(t, f"{service.name} · {PARTS['faq']} · {entry.title}", guide_link) for t in entry.lines]
        return reply
    if entry.kind in ("booking", "loan") or part in ("loan_rule", "booking_rule"):
        rule = entry if entry.kind in ("booking", "loan") else _rule_of(built, service.code, part)
        if rule is not None:
            reply.part = "booking_rule" if rule.kind == "booking" else "loan_rule"
            reply.lines = [Line(t, f"{rule.title} · {PARTS[reply.part]}", rule.link or guide_link) for t in rule.lines]
            return reply
        part = reply.part = "overview"
    reply.lines = guide_lines(service, part, guide_link)
    return reply


def _rule_of(built: Built, code: str, part: str):
    kind = "booking" if part == "booking_rule" else "loan"
    return next((e for e in built.entries.values() if e.kind == kind and e.service == code), None)


def guide_lines(service, part: str, guide_link: str) -> list[Line]:
    """The guide's own text for `part` (the overview: conditions, materials, time limit)."""
    g = service.guide
    guide = _("Service guide")

    def line(name: str, text: str) -> Line:
        anchor = ANCHORS.get(name, "guide")
        return Line(text, f"{service.name} · {guide} · {PARTS[name]}", f"{guide_link}#{anchor}")

    def materials() -> Line:
        names = []
        for m in service.materials:
            name = m["name"]
            if not m.get("required", True):
                name += _("(optional)")
            elif m.get("condition"):
                name += _("(depending on the case)")
            names.append(name)
        return line("materials", "；".join(names) if names else _("No materials to submit"))  # i18n: data

    def time_limit() -> Line:
        return line("time_limit", _("%(promised)s working days (statutory %(statutory)s working days)")
                    % {"promised": g.get("promised_days"), "statutory": g.get("statutory_days")})

    if part == "materials":
        return [materials()]
    if part == "time_limit":
        return [time_limit()]
    if part == "fee":
        return [line("fee", g.get("fee") or _("Free of charge"))]
    if part == "place":
        lines = [line("place", g["place_hours"])] if g.get("place_hours") else []
        if g.get("visits") is not None:
            lines.append(line("place", _("Visits in person: %(visits)s") % {"visits": g["visits"]}))
        return lines or [line("contact", g.get("enquiry_phone") or "—")]
    if part == "contact":
        return [line("contact", g.get("enquiry_phone") or "—")]
    if part == "process":
        return [line("process", g.get("process") or "—")]
    if part in ("conditions", "storage_period"):
        return [line("conditions", g.get("conditions") or "—")]
    lines = [line("conditions", g["conditions"])] if g.get("conditions") else []
    return [*lines, materials(), time_limit()]
