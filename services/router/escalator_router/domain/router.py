"""The router's decision, as one object the service and the explain view both use."""

from __future__ import annotations

from escalator_router.domain.assignment import Assigner, Assignment
from escalator_router.domain.directory import Directory
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.rulebook import RuleBook, RuleChoice
from escalator_shared.config import EscalatorConfig


class Router:
    """Rules, directory and assigner of one configuration, built once."""

    def __init__(self, config: EscalatorConfig) -> None:
        self.rulebook = RuleBook(config)
        self.directory = Directory(config)
        self.assigner = Assigner(config, self.directory)

    def route(self, facts: TicketFacts) -> Assignment:
        """Where the ticket goes at `facts.at`."""
        return self.assigner.assign(self.rulebook.choose(facts), facts, facts.at)

    def explain(self, facts: TicketFacts) -> tuple[RuleChoice, Assignment]:
        """The same decision, with every rule's verdict."""
        choice = self.rulebook.explain(facts)
        return choice, self.assigner.assign(choice, facts, facts.at)
