"""The Slack edge: listeners parse, call one service operation, and render Block Kit."""
