"""The fake Slack Web API lives in bot/playground/fakeslack.py (the playground serves it
too); tests import it by this name, as the very same module object."""

import sys

from bot.playground import fakeslack

sys.modules[__name__] = fakeslack
