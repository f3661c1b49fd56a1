"""Pre-filled templates a ministry fills in for the next edition, and the new edition folder.

Each template carries the identifiers of the ministry's projects, so that a template returned
(edited or not) keeps every project's identity without the matcher.
"""
from panorama.gabarits.new_edition import NewEdition, plan_new_edition, write_new_edition
from panorama.gabarits.workbook import DATA_SHEET, INSTRUCTIONS_SHEET, PREVIOUS_SHEET, template_bytes

__all__ = ["DATA_SHEET", "INSTRUCTIONS_SHEET", "NewEdition", "PREVIOUS_SHEET", "plan_new_edition",
           "template_bytes", "write_new_edition"]
