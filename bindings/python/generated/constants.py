"""Generated from include/dinero.h by scripts/binding_constants.py; do not edit."""

STATUS_OK = 0
STATUS_NULL_ARGUMENT = 1
STATUS_INVALID_UTF8 = 2
STATUS_INVALID_ARGUMENT = 3
STATUS_AUTH_REJECTED = 4
STATUS_AUTH_UNAVAILABLE = 5
STATUS_NETWORK = 6
STATUS_TIMEOUT = 7
STATUS_TLS = 8
STATUS_PROTOCOL = 9
STATUS_PANIC = 10
STATUS_RESPONSE_TOO_LARGE = 11
STATUS_IO = 12
STATUS_LOGIN_REQUIRED = 13
STATUS_INTERRUPTED = 14
LOG_ERROR = 1
LOG_WARN = 2
LOG_INFO = 3
LOG_DEBUG = 4
MAX_UPLOAD_BYTES = 6291456
MAX_PAGE_SIZE = 1000

# status -> the name of its error class, less the 'Error' suffix
FAMILY = {
    1: "InvalidArgument",
    2: "InvalidArgument",
    3: "InvalidArgument",
    4: "Authentication",
    5: "Authentication",
    6: "Network",
    7: "Timeout",
    8: "TLS",
    9: "Protocol",
    10: "Dinero",
    11: "ResponseTooLarge",
    12: "File",
    13: "LoginRequired",
    14: "Dinero",
}
