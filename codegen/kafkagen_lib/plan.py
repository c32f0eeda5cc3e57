"""Turns the validated model into plain dicts of C facts for the templates:
types, member names, version guards, defaults. All decisions live here."""

from __future__ import annotations

import math

from .model import FIXED_WIDTH, Field, Message, Struct, snake
from .versions import SHORT_MAX, Versions, guard

# C type and the reader/writer/json helper suffix of each primitive.
PRIM_CTYPE = {
    "bool": "bool", "int8": "int8_t", "int16": "int16_t", "uint16": "uint16_t",
    "int32": "int32_t", "uint32": "uint32_t", "int64": "int64_t", "float64": "double",
    "uuid": "kafka_uuid_t", "string": "kafka_str_t", "bytes": "kafka_bytes_t",
    "records": "kafka_records_t",
}
ARRAY_CTYPE = {
    "bool": "kafka_bool_array_t", "int8": "kafka_int8_array_t", "int16": "kafka_int16_array_t",
    "uint16": "kafka_uint16_array_t", "int32": "kafka_int32_array_t",
    "uint32": "kafka_uint32_array_t", "int64": "kafka_int64_array_t",
    "float64": "kafka_float64_array_t", "uuid": "kafka_uuid_array_t",
    "string": "kafka_str_array_t", "bytes": "kafka_bytes_array_t",
}


def c_string_literal(text: str) -> str:
    out = ['"']
    for b in text.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and c != "?":
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    out.append('"')
    return "".join(out)


def int_literal(base: str, value: int) -> str:
    if base == "int64":
        if value == -(2**63):
            return "INT64_MIN"
        return f"INT64_C({value})"
    if base == "int32" and value == -(2**31):
        return "INT32_MIN"
    if base == "uint32":
        return f"UINT32_C({value})"
    return str(value)


def float_literal(value: float) -> str:
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INFINITY" if value > 0 else "-INFINITY"
    return repr(float(value))


def uuid_literal(raw: bytes) -> str:
    return "((kafka_uuid_t){{" + ", ".join(f"0x{b:02x}" for b in raw) + "}})"


def versions_comment(f: Field) -> str:
    parts = [f"v{f.versions}"]
    if f.tag is not None:
        parts.append(f"tag {f.tag} v{f.tagged_versions}")
    if not f.nullable_versions.empty:
        parts.append(f"nullable v{f.nullable_versions}")
    if f.default is not None:
        parts.append(f"default {f.default if f.default != '' else 'empty'}")
    if f.ignorable:
        parts.append("ignorable")
    if f.entity_type and f.entity_type != "unknown":
        parts.append(f"entity {f.entity_type}")
    return ", ".join(parts).replace("v0-32767", "v0+").replace("-32767", "+")


class Planner:
    def __init__(self, msg: Message):
        self.msg = msg
        self.flex_versions = msg.flexible_versions

    def struct(self, s: Struct) -> dict:
        fields = [self.field(f, s) for f in s.fields]
        tagged = [fp for fp in fields if fp["tag"] is not None]
        ctx = s.versions
        return {
            "name": s.name,
            "short": snake(s.name),
            "stem": s.c_stem,
            "ctype": f"{s.c_stem}_t",
            "is_root": s.is_root,
            "versions": str(s.versions),
            "fields": fields,
            "tagged": sorted(tagged, key=lambda fp: fp["tag"]),
            "known_tags": len(tagged),
            # The tag section exists in the struct's versions that are flexible.
            "flex_possible": guard(self.flex_versions, ctx) != "0",
            "flex_always": guard(self.flex_versions, ctx) == "1",
        }

    def field(self, f: Field, s: Struct) -> dict:
        ctx = s.versions
        t = f.type
        if f.tag is not None:
            regular = Versions(f.versions.lo, f.tagged_versions.lo - 1) \
                if f.tagged_versions.lo > f.versions.lo else Versions(0, -1)
        else:
            regular = f.versions
        kind, ctype, elem_ctype, elem_stem, prim = self.kind(f)
        # Nullability is only ever asked where the field is present.
        nullable_g = guard(f.nullable_versions, f.versions.intersect(ctx))
        # Per-field flexibleVersions override (RequestHeader.ClientId keeps
        # its classic length even in flexible header versions).
        if f.flexible_versions is not None:
            fg = guard(f.flexible_versions, f.versions.intersect(ctx))
            flex = "false" if fg == "0" else ("flex" if fg == "1" else f"(flex && {fg})")
        else:
            flex = "flex"
        fp = {
            "name": f.name,
            "c": f.c_name,
            "json": f.json_name,
            "kind": kind,
            "prim": prim,
            "ctype": ctype,
            "elem_ctype": elem_ctype,
            "elem_stem": elem_stem,
            "elem_stem_short": snake(f.struct.name) if f.struct is not None else None,
            "present": guard(f.versions, ctx),
            "regular": guard(regular, ctx),
            "tagged": guard(f.tagged_versions, ctx) if f.tag is not None else "0",
            # The same, where the version is known to be flexible (inside a
            # tag section), which usually makes it always true.
            "tagged_in_flex": guard(f.tagged_versions, ctx.intersect(self.flex_versions))
            if f.tag is not None else "0",
            "tag": f.tag,
            "nullable": "true" if nullable_g == "1" else "false" if nullable_g == "0"
            else nullable_g,
            "may_be_null": nullable_g != "0",
            "flex": flex,
            "ignorable": f.ignorable,
            "min_elem": self.min_elem(f),
            "comment": versions_comment(f),
            "default_null": f.default_value is None and kind in
            ("string", "bytes", "records", "array", "nstruct"),
        }
        fp["init"] = self.init_expr(f, fp)
        fp["is_default"] = self.is_default_expr(f, fp)
        # When a tagged field goes on the wire (inside a tag section).
        fp["tag_written"] = (f"!({fp['is_default']})" if fp["tagged_in_flex"] == "1"
                             else f"({fp['tagged_in_flex']}) && !({fp['is_default']})")
        fp["needs_absent_check"] = not f.ignorable and fp["present"] != "1"
        return fp

    def kind(self, f: Field):
        t = f.type
        if t.is_array:
            if t.is_struct:
                stem = f.struct.c_stem
                return "array", f"{stem}_array_t", f"{stem}_t", stem, "struct"
            return "array", ARRAY_CTYPE[t.base], PRIM_CTYPE[t.base], None, t.base
        if t.is_struct:
            stem = f.struct.c_stem
            if not f.nullable_versions.empty:
                return "nstruct", f"{stem}_t *", f"{stem}_t", stem, "struct"
            return "struct", f"{stem}_t", f"{stem}_t", stem, "struct"
        if t.base in ("string", "bytes", "records"):
            return t.base, PRIM_CTYPE[t.base], None, None, t.base
        return "fixed", PRIM_CTYPE[t.base], None, None, t.base

    def min_elem(self, f: Field) -> int:
        """Fewest bytes one array element takes on the wire (at least 1), used
        to reject impossible counts before allocating: the tighter this is,
        the less a hostile count can make a decoder allocate per input byte."""
        t = f.type
        if not t.is_array:
            return 1
        if t.base in FIXED_WIDTH:
            return FIXED_WIDTH[t.base]
        if t.is_struct:
            reach = f.versions.intersect(f.parent.versions).intersect(f.struct.versions)
            return max(1, min(self.struct_min(f.struct, v) for v in range(reach.lo, reach.hi + 1)))
        # string/bytes elements: a length prefix at least
        return 1 if self.flex_versions.contains(f.versions.intersect(f.parent.versions)) \
            else (1 if not self.flex_versions.empty else (2 if t.base == "string" else 4))

    def struct_min(self, s: Struct, v: int) -> int:
        """Smallest encoding of struct s at version v."""
        flex = self.flex_versions.contains(v)
        n = 1 if flex else 0  # the tag-section count
        for f in s.fields:
            if not f.versions.contains(v) or f.tagged_versions.contains(v):
                continue
            t = f.type
            if t.is_array:
                n += 1 if flex else 4
            elif t.is_struct:
                n += 1 if not f.nullable_versions.empty and f.nullable_versions.contains(v) \
                    else self.struct_min(f.struct, v)
            elif t.base in FIXED_WIDTH:
                n += FIXED_WIDTH[t.base]
            elif flex and (f.flexible_versions is None or f.flexible_versions.contains(v)):
                n += 1
            else:
                n += 2 if t.base == "string" else 4
        return n

    def init_expr(self, f: Field, fp: dict) -> str | None:
        """C statement setting the spec default, or None when zero is it."""
        m = f"m->{fp['c']}"
        kind, base, val = fp["kind"], f.type.base, f.default_value
        if kind == "fixed":
            if base == "bool":
                return f"{m} = true;" if val else None
            if base == "uuid":
                return None if val == bytes(16) else f"{m} = {uuid_literal(val)};"
            if base == "float64":
                return None if (val == 0.0 and math.copysign(1, val) > 0) \
                    else f"{m} = {float_literal(val)};"
            return None if val == 0 else f"{m} = {int_literal(base, val)};"
        if kind == "string":
            if val is None:
                return f"{m} = KAFKA_STR_NULL;"
            return f"{m} = KAFKA_STR_LIT({c_string_literal(val)});"
        if kind in ("bytes", "records"):
            return f"{m} = KAFKA_BYTES_NULL;" if val is None else None
        if kind == "array":
            return f"{m}.count = -1;" if val is None else None
        if kind == "struct":
            return f"{fp['elem_stem']}_init(&{m});"
        return None  # nullable struct: NULL

    def is_default_expr(self, f: Field, fp: dict) -> str:
        m = f"m->{fp['c']}"
        kind, base, val = fp["kind"], f.type.base, f.default_value
        if kind == "fixed":
            if base == "bool":
                return m if val else f"!{m}"
            if base == "uuid":
                return f"kafka_uuid_is_zero({m})" if val == bytes(16) \
                    else f"kafka_uuid_equal({m}, {uuid_literal(val)})"
            if base == "float64":
                return f"kafka_float64_equal({m}, {float_literal(val)})"
            return f"{m} == {int_literal(base, val)}"
        if kind == "string":
            if val is None:
                return f"{m}.len < 0"
            return f"kafka_str_equal({m}, KAFKA_STR_LIT({c_string_literal(val)}))"
        if kind in ("bytes", "records"):
            return f"{m}.len < 0" if val is None else f"{m}.len == 0"
        if kind == "array":
            return f"{m}.count < 0" if val is None else f"{m}.count == 0"
        if kind == "struct":
            return f"{fp['elem_stem']}_is_default(&{m})"
        return f"{m} == NULL"


def plan_message(msg: Message) -> dict:
    p = Planner(msg)
    structs = [p.struct(s) for s in msg.structs]
    return {
        "name": msg.name,
        "file": msg.file,
        "sha256": msg.sha256,
        "snake": msg.snake_name,
        "type": msg.type,
        "api_key": msg.api_key,
        "macro": msg.snake_name.upper(),
        "min_version": msg.valid_versions.lo,
        "max_version": msg.valid_versions.hi,
        "first_flex": msg.first_flexible,
        "structs": structs,
        "root": structs[-1],
        "nested": structs[:-1],
    }
