"""Version ranges as Kafka's schemas write them: "none", "N", "N-M", "N+"."""

from __future__ import annotations

from dataclasses import dataclass

SHORT_MAX = 32767


class VersionError(ValueError):
    pass


@dataclass(frozen=True)
class Versions:
    lo: int
    hi: int

    @staticmethod
    def parse(text, default: "Versions | None" = None) -> "Versions":
        if text is None:
            if default is None:
                raise VersionError("missing version range")
            return default
        s = str(text).strip()
        if s == "none":
            return NONE
        try:
            if s.endswith("+"):
                lo = int(s[:-1])
                return Versions._make(lo, SHORT_MAX, s)
            if "-" in s:
                a, b = s.split("-", 1)
                return Versions._make(int(a), int(b), s)
            v = int(s)
            return Versions._make(v, v, s)
        except ValueError as e:
            if isinstance(e, VersionError):
                raise
            raise VersionError(f"invalid version range '{s}'") from None

    @staticmethod
    def _make(lo: int, hi: int, text: str) -> "Versions":
        if lo < 0 or hi > SHORT_MAX or lo > hi:
            raise VersionError(f"invalid version range '{text}'")
        return Versions(lo, hi)

    @property
    def empty(self) -> bool:
        return self.lo > self.hi

    @property
    def open_ended(self) -> bool:
        return not self.empty and self.hi == SHORT_MAX

    def contains(self, other: "Versions | int") -> bool:
        if isinstance(other, int):
            return self.lo <= other <= self.hi
        if other.empty:
            return True
        return self.lo <= other.lo and other.hi <= self.hi

    def intersect(self, other: "Versions") -> "Versions":
        lo, hi = max(self.lo, other.lo), min(self.hi, other.hi)
        return Versions(lo, hi) if lo <= hi else NONE

    def __str__(self) -> str:
        if self.empty:
            return "none"
        if self.hi == SHORT_MAX:
            return f"{self.lo}+"
        if self.lo == self.hi:
            return str(self.lo)
        return f"{self.lo}-{self.hi}"


NONE = Versions(0, -1)
ALL = Versions(0, SHORT_MAX)


def guard(field: Versions, context: Versions, var: str = "v") -> str:
    """The shortest C condition that is true for versions in `field`, given
    the value of `var` is known to lie in `context`. Returns "1" when always
    true and "0" when never."""
    eff = field.intersect(context)
    if eff.empty:
        return "0"
    need_lo = eff.lo > context.lo
    need_hi = eff.hi < context.hi
    if need_lo and need_hi:
        if eff.lo == eff.hi:
            return f"{var} == {eff.lo}"
        return f"({var} >= {eff.lo} && {var} <= {eff.hi})"
    if need_lo:
        return f"{var} >= {eff.lo}"
    if need_hi:
        return f"{var} <= {eff.hi}"
    return "1"
