"""Sessions in the database, with Redis in front (SESSION_ENGINE when REDIS_URL is set).

Django's `cached_db` engine already reads the database when the cache misses and logs a
failed cache write, but it fails the request when Redis is down while it fills the cache
after a miss or deletes a session (logging out). The database holds every session anyway,
so here Redis only speeds reads up: when it does not answer, the request goes on with the
database alone.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unreachable (%s): reading the database", self._cache, exc_info=True)
            data = None
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        except Exception:
            logger.warning("Session cache unreachable (%s)", self._cache, exc_info=True)
        return data

    def delete(self, session_key=None):
        key = session_key or self.session_key
        cached_db.DBStore.delete(self, session_key)
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            # Redis may still hold the ended session until it expires there: say so loudly.
            logger.error("Session cache unreachable (%s): an ended session is still cached", self._cache)
