"""Pure Block Kit builders: data in, `slack_sdk` blocks (or a view dict) out, no I/O."""
