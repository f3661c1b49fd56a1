"""Publishing on data.gouv.fr (udata API v1): client, catalogue, plan, apply, state.

No Prefect here: the flows call `build_plan` and `apply_plan`; the CLI calls `publish`.
"""
