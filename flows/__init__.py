"""The Prefect layer: flows and tasks over the domain package `panorama`, adding nothing of their own."""
