"""What the wizard's thread workers report back: typed messages, so no worker touches a widget or a reactive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.aws.discovery import Endpoint
    from tui.aws.sandbox import Sandbox
    from tui.aws.session import Connection


@dataclass
class StatusChanged(Message):
    """A new line for the connection bar: an English template (translated where shown, so a language change
    redraws it) and its values, which may hold AWS text (the bar shows it through `plain`)."""

    status: str
    params: dict = field(default_factory=dict)


@dataclass
class SandboxStarted(Message):
    sandbox: Sandbox


@dataclass
class Connected(Message):
    connection: Connection


@dataclass
class WentOffline(Message):
    reason: str


@dataclass
class EndpointsFound(Message):
    """Discovery listed `region`'s endpoints (`trust` None: not labelled yet) or labelled them against `trust`."""

    connection: Connection
    region: str
    endpoints: list[Endpoint]
    trust: tuple | None


@dataclass
class DiscoveryFailed(Message):
    connection: Connection
    region: str
    reason: str
