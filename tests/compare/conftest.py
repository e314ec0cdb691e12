# The fixture submissions are learners' modules (exNN_*.py), some broken on purpose: never
# collect or import them as tests.
collect_ignore = ["submissions"]
