"""The pure core: rotation, time off, swaps, ownership and "who is on call at T".

Nothing here imports Slack, a database or the wall clock; every function takes
plain data and, where it needs one, an instant it is given.
"""
