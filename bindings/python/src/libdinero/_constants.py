"""The numbers of include/dinero.h: DINERO_STATUS_*, DINERO_LOG_*, DINERO_MAX_*, and FAMILY, the
one mapping of statuses to error classes (generated into ``libdinero._generated.constants``)."""

from ._generated.constants import *  # noqa: F403
