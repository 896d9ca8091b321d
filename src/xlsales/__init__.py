"""xlsales: the sales process of DOMAIN.md in Excel workbooks."""

from .exceptions import InputError, Problem, ValidationError, XlsalesError

__all__ = ["InputError", "Problem", "ValidationError", "XlsalesError"]
