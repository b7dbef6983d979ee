"""Board reports: the tracker spreadsheet, CSV and BRAG charts."""

from reports.export import FORMATS, export

__all__ = ["FORMATS", "export"]
