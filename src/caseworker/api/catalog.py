"""The agents a service serves, loaded and validated once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caseworker.exceptions import ConfigurationError, NotFound
from caseworker.sop.agent import AgentDefinition, LoadedAgent, load_agent
from caseworker.tools.registry import default_registry


@dataclass(frozen=True)
class Catalog:
    """Agent name -> the loaded agent."""

    agents: dict[str, LoadedAgent]

    @classmethod
    def load(cls, paths: list[Path]) -> Catalog:
        if not paths:
            raise ConfigurationError("no agents to serve: set CASEWORKER_AGENTS or run from a "
                                     "directory with agents/<name>/agent.yaml")
        agents: dict[str, LoadedAgent] = {}
        for path in paths:
            loaded = load_agent(path.resolve(), default_registry())
            name = loaded.definition.spec.name
            if name in agents:
                raise ConfigurationError(f"two served agents are named {name!r}: "
                                         f"{agents[name].spec_path} and {loaded.spec_path}")
            agents[name] = loaded
        return cls(agents)

    def definition(self, name: str) -> AgentDefinition:
        try:
            return self.agents[name].definition
        except KeyError:
            served = ", ".join(sorted(self.agents))
            raise NotFound(f"no agent {name!r} is served here (served: {served})") from None
