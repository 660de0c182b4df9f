"""oncall-bot: a Slack app that runs a data-engineering team's weekly on-call rotation."""

__version__ = "0.1.0"
