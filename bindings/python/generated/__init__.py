"""What scripts/binding_constants.py generates from include/dinero.h for the Python binding (the
package ``libdinero._generated``): ``constants`` (statuses, log levels, limits, the status ->
error class mapping) and ``declarations`` (the ctypes declarations of every C function)."""
