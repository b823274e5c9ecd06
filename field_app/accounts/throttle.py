"""Sign-in throttling on Flask-Limiter's storage (memory by default, Redis when
``RATELIMIT_STORAGE_URI`` says so).

Only failures count: wrong passwords at sign-in and on the restore-request page, wrong
second-factor codes, wrong current passwords on the password page. Three buckets:

- per client address (10 a minute, 50 an hour): one client cannot spray many usernames;
- per username from one address (5 in 15 minutes): one client cannot guess one password,
  and its failures do not stop the holder signing in from anywhere else;
- per username from all addresses (50 an hour): many clients together cannot guess one
  password faster than that. Reaching it takes at least three addresses at their own
  limit, which is the price of stopping distributed guessing.

A throttled attempt is refused before the username is looked up, with the same answer for
every name, and does not count itself, so waiting is enough. No account is ever locked
by failures: only throttled.
"""
from __future__ import annotations

import dataclasses

from limits import RateLimitItem, parse_many

from field_app.accounts.policy import AccountPolicy, normalised
from field_app.extensions import limiter


@dataclasses.dataclass(frozen=True)
class SignInThrottle:
    per_address: tuple[RateLimitItem, ...]
    per_username_and_address: tuple[RateLimitItem, ...]
    per_username: tuple[RateLimitItem, ...]

    @classmethod
    def from_policy(cls, policy: AccountPolicy) -> SignInThrottle:
        return cls(tuple(parse_many(policy.limit_per_address)),
                   tuple(parse_many(policy.limit_per_username_and_address)),
                   tuple(parse_many(policy.limit_per_username)))

    def _buckets(self, username: str, ip: str | None):
        name = normalised(username)[:64]
        address = ip or "-"
        for item in self.per_address:
            yield item, ("sign-in-address", address)
        for item in self.per_username_and_address:
            yield item, ("sign-in-username-address", name, address)
        for item in self.per_username:
            yield item, ("sign-in-username", name)

    def allows(self, username: str, ip: str | None) -> bool:
        """Whether another attempt for ``username`` from ``ip`` may be checked now."""
        if not _counting():
            return True
        return all(limiter.limiter.test(item, *key) for item, key in self._buckets(username, ip))

    def count_failure(self, username: str, ip: str | None) -> bool:
        """Count one failure; True when it used up a bucket (later attempts are throttled)."""
        if not _counting():
            return False
        exhausted = False
        for item, key in self._buckets(username, ip):
            limiter.limiter.hit(item, *key)
            exhausted |= not limiter.limiter.test(item, *key)
        return exhausted


def _counting() -> bool:
    return bool(limiter.enabled and limiter.initialized)
