"""The environment variables a client's settings may be left to: meetbit._config reads them.

A module of its own so that the command's --help can name them without loading httpx,
which meetbit._config needs for its settings' types.
"""

ENVIRONMENT = {
    "domain": "MEETBIT_DOMAIN",
    "base_url": "MEETBIT_BASE_URL",
    "access_key_id": "MEETBIT_ACCESS_KEY_ID",
    "access_key_secret": "MEETBIT_ACCESS_KEY_SECRET",
}
"""The settings an argument may leave to the environment, and the variable each is read from."""
RATE_CONTROL = "MEETBIT_RATE_CONTROL"
"""The variable that turns the shared pacing off ("off", "0", "false", "no"): for a service's
tests that script 429s and must not wait for pacing. Environment only: code passes no such
argument, so a test can turn it off for clients it does not build itself."""
