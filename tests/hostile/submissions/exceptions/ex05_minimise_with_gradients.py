# --- hostile: an exception of its own that derives from BaseException, not Exception, at
# import: `except Exception` lets it through.


class HostileEscape(BaseException):
    pass


raise HostileEscape("not an Exception: past every `except Exception`")
