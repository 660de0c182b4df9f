"""The playground: the real app and a local stand-in for Slack with a web page.

`oncall playground` (bot/playground/main.py) starts both on 127.0.0.1, with no tokens and
no network. The stand-in's Web API (fakeslack.py) is the same strict fake the tests use.
"""
