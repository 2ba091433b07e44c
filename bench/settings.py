"""Settings for the benchmarks only (bench/appeals.py): the project's settings, plus

- `bench.bare_urls` as the URLconf: the project's URLs and one bare view that does a single
  INSERT, the baseline the appeal submission is compared with;
- a middleware that reports each request's server time in a `Server-Timing` header.

Select with DJANGO_SETTINGS_MODULE=bench.settings. Production never loads this module.
"""

import warnings

from twoway.settings import *  # noqa: F403
from twoway.settings import MIDDLEWARE

ROOT_URLCONF = "bench.bare_urls"
# Outermost, so the time covers every middleware (sessions, CSRF, auth …) and the view.
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]

# WhiteNoise warns in every worker when STATIC_ROOT was never collected; the bench serves no
# static files, so keep the output readable.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
