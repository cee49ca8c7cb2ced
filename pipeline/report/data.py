"""The debrief's figures come from the store (pipeline/store/statistics.py); the names the report and
the web page import are kept here."""
from pipeline.store.statistics import (CHANNELS_FR, Correction, Line, ReportData, collect, day_window,  # noqa: F401
                                       debrief, utc)
