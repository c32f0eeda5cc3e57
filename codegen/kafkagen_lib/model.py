"""The schema model. Every check Apache Kafka's generator makes, and the
extra ones a C target needs, runs while the model is built, so code emission
only ever sees a valid model. Errors read "File.json: Struct.Field: reason"."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field as dc_field

from .versions import NONE, Versions, VersionError

MESSAGE_KEYS = {
    "apiKey", "type", "name", "validVersions", "flexibleVersions", "fields",
    "commonStructs", "listeners", "latestVersionUnstable", "deprecatedVersions",
}
FIELD_KEYS = {
    "name", "type", "versions", "taggedVersions", "tag", "nullableVersions", "default",
    "ignorable", "mapKey", "entityType", "about", "fields", "flexibleVersions", "zeroCopy",
}
# StructSpec also takes deprecatedVersions (checked, then unused).
COMMON_STRUCT_KEYS = {"name", "versions", "deprecatedVersions", "fields"}
MESSAGE_TYPES = {"request", "response", "header", "data", "metadata"}
LISTENERS = {"zkBroker", "broker", "controller"}

FIXED_WIDTH = {
    "bool": 1, "int8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
    "int64": 8, "float64": 8, "uuid": 16,
}
VARIABLE = {"string", "bytes", "records"}
INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1), "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1),
}
# entityType -> the base types it may annotate (EntityType.java).
ENTITY_TYPES = {
    "unknown": None, "transactionalId": {"string"}, "producerId": {"int64"},
    "groupId": {"string"}, "topicName": {"string"}, "brokerId": {"int32"},
}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
STRUCT_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
FLOAT_RE = re.compile(r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)")
UUID_RE = re.compile(r"[A-Za-z0-9_-]{22}(==)?")
C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while _Bool _Complex _Imaginary bool true false
_Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local""".split())


class SpecError(ValueError):
    pass


def snake(name: str) -> str:
    """CamelCase -> snake_case the way Kafka's MessageGenerator.toSnakeCase
    does: an underscore before a capital that follows a non-capital."""
    out = []
    prev_capital = True
    for c in name:
        if c.isupper():
            if not prev_capital:
                out.append("_")
            out.append(c.lower())
            prev_capital = True
        else:
            out.append(c)
            prev_capital = False
    return "".join(out)


def camel(name: str) -> str:
    """JSON key: the field name with its first letter lowercased."""
    return name[:1].lower() + name[1:]


def _as_bool(value, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{what} must be true or false, not {value!r}")


def _as_int(value, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be an integer, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    raise ValueError(f"{what} must be an integer, not {value!r}")


def _default_text(value) -> str | None:
    """Jackson turns raw JSON numbers, booleans and null into text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError(f"default must be a scalar, not {value!r}")


@dataclass
class FieldType:
    base: str           # primitive name, or the struct name
    is_array: bool
    is_struct: bool

    @staticmethod
    def parse(text: str) -> "FieldType":
        if not isinstance(text, str):
            raise ValueError(f"type must be a string, not {text!r}")
        is_array = text.startswith("[]")
        base = text[2:] if is_array else text
        if base.startswith("[]"):
            raise ValueError("Can't have an array of arrays. Use an array of structs containing "
                             "another array instead.")
        if base in FIXED_WIDTH or base in VARIABLE:
            return FieldType(base, is_array, False)
        if STRUCT_RE.match(base):
            return FieldType(base, is_array, True)
        raise ValueError(f"Can't parse type {text}.")

    @property
    def can_be_nullable(self) -> bool:
        return self.is_array or self.is_struct or self.base in VARIABLE

    def __str__(self) -> str:
        return ("[]" if self.is_array else "") + self.base


@dataclass
class Field:
    name: str
    type: FieldType
    versions: Versions
    tagged_versions: Versions
    tag: int | None
    nullable_versions: Versions
    default: str | None          # validated spec text; None = implicit default
    ignorable: bool
    map_key: bool
    entity_type: str | None
    flexible_versions: Versions | None  # per-field override (string/bytes only)
    zero_copy: bool
    struct: "Struct | None" = None      # element struct for struct types
    parent: "Struct | None" = None
    default_value: object = None        # parsed default (see parse_default)

    @property
    def c_name(self) -> str:
        return snake(self.name)

    @property
    def json_name(self) -> str:
        return camel(self.name)

    @property
    def all_versions(self) -> Versions:
        return self.versions  # taggedVersions is always inside versions


@dataclass
class Struct:
    name: str
    versions: Versions       # the versions in which this struct can occur
    fields: list[Field]
    message: "Message"
    is_common: bool = False
    is_root: bool = False
    uses: int = 0

    @property
    def c_stem(self) -> str:
        if self.is_root:
            return f"kafka_{snake(self.message.name)}"
        return f"kafka_{snake(self.message.name)}_{snake(self.name)}"

    @property
    def tagged_fields(self) -> list[Field]:
        return sorted((f for f in self.fields if f.tag is not None), key=lambda f: f.tag)


@dataclass
class Message:
    file: str
    name: str
    type: str
    api_key: int | None
    valid_versions: Versions
    flexible_versions: Versions
    listeners: list[str]
    latest_version_unstable: bool
    deprecated_versions: Versions
    root: Struct = None
    structs: list[Struct] = dc_field(default_factory=list)  # depth-first, children first
    sha256: str = ""

    @property
    def snake_name(self) -> str:
        return snake(self.name)

    @property
    def first_flexible(self) -> int:
        return -1 if self.flexible_versions.empty else self.flexible_versions.lo


class _Builder:
    def __init__(self, file: str, data: dict):
        self.file = file
        self.data = data

    def fail(self, where: str, reason: str):
        raise SpecError(f"{self.file}: {where}: {reason}" if where else f"{self.file}: {reason}")

    def build(self) -> Message:
        d = self.data
        name = d.get("name")
        where = name if isinstance(name, str) else "(message)"
        unknown = sorted(set(d) - MESSAGE_KEYS)
        if unknown:
            self.fail(where, f"unknown key '{unknown[0]}'")
        if not isinstance(name, str) or not STRUCT_RE.match(name):
            self.fail(where, f"invalid message name {name!r}")
        mtype = d.get("type")
        if mtype not in MESSAGE_TYPES:
            self.fail(where, f"invalid message type {mtype!r}")
        if mtype == "request" and not name.endswith("Request"):
            self.fail(where, "request names must end in Request")
        if mtype == "response" and not name.endswith("Response"):
            self.fail(where, "response names must end in Response")
        api_key = None
        if "apiKey" in d:
            try:
                api_key = _as_int(d["apiKey"], "apiKey")
            except ValueError as e:
                self.fail(where, str(e))
            if not 0 <= api_key <= 32767:
                self.fail(where, f"apiKey {api_key} out of range")
        elif mtype in ("request", "response", "metadata"):
            self.fail(where, "apiKey is required for requests, responses and metadata records")
        try:
            valid = Versions.parse(d.get("validVersions"))
        except VersionError as e:
            self.fail(where, f"validVersions: {e}")
        if valid.empty:
            self.fail(where, "validVersions must not be none")
        if valid.open_ended:
            self.fail(where, f"Message {name} does not specify a maximum version.")
        if "flexibleVersions" not in d:
            self.fail(where, "You must specify a value for flexibleVersions. "
                             "Please use 0+ for all new messages.")
        try:
            flexible = Versions.parse(d["flexibleVersions"])
        except VersionError as e:
            self.fail(where, f"flexibleVersions: {e}")
        if not flexible.empty and not flexible.open_ended:
            self.fail(where, "flexibleVersions must be either none or an open-ended range "
                             f"(that ends with a plus sign), not {d['flexibleVersions']}")
        listeners = d.get("listeners", [])
        if isinstance(listeners, str):
            listeners = [listeners]  # Jackson's ACCEPT_SINGLE_VALUE_AS_ARRAY
        if "listeners" in d and mtype != "request":
            self.fail(where, "listeners can only be specified for requests (requestScope)")
        for lst in listeners:
            if lst not in LISTENERS:
                self.fail(where, f"unknown listener {lst!r}")
        unstable = False
        if "latestVersionUnstable" in d:
            if mtype != "request":
                self.fail(where, "latestVersionUnstable can only be specified for requests")
            try:
                unstable = _as_bool(d["latestVersionUnstable"], "latestVersionUnstable")
            except ValueError as e:
                self.fail(where, str(e))
        try:
            deprecated = Versions.parse(d.get("deprecatedVersions"), NONE)
        except VersionError as e:
            self.fail(where, f"deprecatedVersions: {e}")
        msg = Message(self.file, name, mtype, api_key, valid, flexible, list(listeners), unstable,
                      deprecated)
        self.msg = msg
        self.struct_names: dict[str, Struct] = {}

        # Common structs are registered first so fields can refer to them.
        self.common: dict[str, dict] = {}
        commons = d.get("commonStructs", [])
        if not isinstance(commons, list):
            self.fail(where, "commonStructs must be an array")
        for cs in commons:
            if not isinstance(cs, dict):
                self.fail(where, "commonStructs entries must be objects")
            cname = cs.get("name")
            unknown = sorted(set(cs) - COMMON_STRUCT_KEYS)
            if unknown:
                self.fail(str(cname), f"unknown key '{unknown[0]}'")
            if not isinstance(cname, str) or not STRUCT_RE.match(cname):
                self.fail(str(cname), "struct names must start with an uppercase letter")
            if cname in self.common:
                self.fail(cname, f"Common struct {cname} was specified twice.")
            self.common[cname] = cs
        self.common_built: dict[str, Struct] = {}
        for cname, cs in self.common.items():
            self.build_common(cname)

        fields = d.get("fields")
        if not isinstance(fields, list):
            self.fail(where, "fields must be an array")
        msg.root = Struct(name, valid, [], msg, is_root=True)
        msg.root.fields = self.build_fields(fields, msg.root, top_level=True)
        msg.structs.append(msg.root)
        for s in msg.structs:
            if s.is_common and s.uses == 0:
                pass  # Kafka allows unused common structs; they are still emitted
        self.check_c_names()
        return msg

    def build_common(self, cname: str) -> Struct:
        if cname in self.common_built:
            return self.common_built[cname]
        cs = self.common[cname]
        if "versions" not in cs:
            self.fail(cname, f"You must specify the version of the {cname} structure.")
        try:
            versions = Versions.parse(cs["versions"])
            Versions.parse(cs.get("deprecatedVersions"), NONE)
        except VersionError as e:
            self.fail(cname, f"versions: {e}")
        struct = Struct(cname, versions.intersect(self.msg.valid_versions), [], self.msg,
                        is_common=True)
        self.common_built[cname] = struct
        self.register_struct(struct, cname)
        if not isinstance(cs.get("fields"), list):
            self.fail(cname, "fields must be an array")
        struct.fields = self.build_fields(cs["fields"], struct, top_level=False)
        self.msg.structs.append(struct)
        return struct

    def register_struct(self, struct: Struct, where: str):
        if struct.name == self.msg.name:
            self.fail(where, f"struct name {struct.name} is the message's own name")
        if struct.name in self.struct_names:
            self.fail(where, f"Struct {struct.name} was specified twice.")
        self.struct_names[struct.name] = struct

    def build_fields(self, raw_fields: list, parent: Struct, top_level: bool) -> list[Field]:
        out: list[Field] = []
        seen_c: dict[str, str] = {}
        for raw in raw_fields:
            f = self.build_field(raw, parent, top_level)
            if any(o.name == f.name for o in out):
                self.fail(f"{parent.name}.{f.name}", f"duplicate field name {f.name}")
            other = seen_c.get(f.c_name)
            if other is not None:
                self.fail(f"{parent.name}.{f.name}",
                          f"field name collides with {other} (both are '{f.c_name}' in C)")
            seen_c[f.c_name] = f.name
            out.append(f)
        tags = sorted(f.tag for f in out if f.tag is not None)
        for i, t in enumerate(tags):
            if i > 0 and tags[i - 1] == t:
                self.fail(parent.name, f"duplicate tag {t}")
        for i, t in enumerate(tags):
            if t != i:
                self.fail(parent.name, f"tags are not contiguous from 0: missing tag {i}")
        return out

    def build_field(self, raw, parent: Struct, top_level: bool) -> Field:
        if not isinstance(raw, dict):
            self.fail(parent.name, "field entries must be objects")
        name = raw.get("name")
        where = f"{parent.name}.{name}"
        if not isinstance(name, str) or not NAME_RE.match(name):
            self.fail(where, f"Invalid field name {name!r}")
        unknown = sorted(set(raw) - FIELD_KEYS)
        if unknown:
            self.fail(where, f"unknown key '{unknown[0]}'")
        if snake(name) in C_KEYWORDS:
            self.fail(where, f"field name is the C keyword '{snake(name)}'")
        try:
            ftype = FieldType.parse(raw.get("type"))
        except ValueError as e:
            self.fail(where, str(e))
        try:
            tagged = Versions.parse(raw.get("taggedVersions"), NONE)
            if "versions" in raw:
                versions = Versions.parse(raw["versions"])
            elif "taggedVersions" in raw:
                versions = tagged
            else:
                self.fail(where, "You must specify the version of the field.")
            nullable = Versions.parse(raw.get("nullableVersions"), NONE)
            flex_override = (Versions.parse(raw["flexibleVersions"])
                             if "flexibleVersions" in raw else None)
        except VersionError as e:
            self.fail(where, str(e))
        try:
            ignorable = _as_bool(raw.get("ignorable", False), "ignorable")
            map_key = _as_bool(raw.get("mapKey", False), "mapKey")
            zero_copy = _as_bool(raw.get("zeroCopy", False), "zeroCopy")
            tag = _as_int(raw["tag"], "tag") if "tag" in raw else None
            default = _default_text(raw["default"]) if "default" in raw else None
        except ValueError as e:
            self.fail(where, str(e))

        if not nullable.empty and not ftype.can_be_nullable:
            self.fail(where, f"Type {ftype} cannot be nullable.")
        if "fields" in raw and not ftype.is_struct:
            self.fail(where, f"Non-array or Struct field {name} cannot have fields")
        if zero_copy and not (ftype.base == "bytes" and not ftype.is_array):
            self.fail(where, f"Invalid zeroCopy value for {name}. Only fields of type bytes "
                             "can use zeroCopy flag.")
        if flex_override is not None:
            if ftype.is_array or ftype.base not in ("string", "bytes"):
                self.fail(where, f"Invalid flexibleVersions override for {name}. Only fields of "
                                 "type string or bytes can specify a flexibleVersions override.")
            if not self.msg.flexible_versions.contains(flex_override):
                self.fail(where, f"Field {name} specifies flexibleVersions {flex_override}, which "
                                 "is not a subset of the message's flexibleVersions "
                                 f"{self.msg.flexible_versions}")
        if map_key and top_level:
            self.fail(where, "Cannot set mapKey on top level fields.")
        if tag is not None or not tagged.empty:
            if tag is None:
                self.fail(where, f"Field {name} specifies taggedVersions {tagged}, but no tag.")
            if tagged.empty:
                self.fail(where, f"Field {name} specifies a tag, but no taggedVersions.")
            if tag < 0:
                self.fail(where, f"Field {name} specifies a tag of {tag}. Tags cannot be "
                                 "negative.")
            if not tagged.open_ended:
                self.fail(where, f"Field {name} specifies taggedVersions {tagged}, which is not "
                                 "open-ended.")
            if not versions.contains(tagged):
                self.fail(where, f"Field {name} specifies taggedVersions {tagged}, which is not a "
                                 f"subset of the field's versions {versions}")
            if not self.msg.flexible_versions.contains(tagged):
                self.fail(where, f"Field {name} specifies tagged versions {tagged} that are not a "
                                 f"subset of the flexible versions {self.msg.flexible_versions}")
            if flex_override is not None and not flex_override.contains(tagged):
                self.fail(where, f"Field {name} specifies tagged versions {tagged} that are not a "
                                 f"subset of the flexible versions {flex_override}")
            if tagged.intersect(parent.versions).empty:
                self.fail(where, f"Version ranges {tagged} and {parent.versions} have no versions "
                                 "in common.")
            nt = nullable.intersect(tagged)
            if not nt.empty and nt != tagged:
                self.fail(where, f"Field {name} specifies nullableVersions {nullable} and "
                                 f"taggedVersions {tagged}. Either all tagged versions must be "
                                 "nullable, or none must be.")
            if map_key:
                self.fail(where, f"Tagged field {name} cannot be used as a map key.")
            if ftype.base == "records":
                self.fail(where, f"Unsupported attempt to declare field `{name}` with `records` "
                                 "type as a tagged field.")
        if versions.empty:
            self.fail(where, "field versions must not be none")
        reach = versions.intersect(parent.versions)
        if reach.empty:
            self.fail(where, f"Version ranges {versions} and {parent.versions} have no versions "
                             "in common.")
        entity = raw.get("entityType")
        if entity is not None:
            if entity not in ENTITY_TYPES:
                self.fail(where, f"unknown entityType {entity!r}")
            allowed = ENTITY_TYPES[entity]
            if allowed is not None and ftype.base not in allowed:
                self.fail(where, f"Field {name} has entity type {entity}, but field type {ftype}, "
                                 "which does not match.")

        f = Field(name, ftype, versions, tagged, tag, nullable, default, ignorable, map_key,
                  entity, flex_override, zero_copy, parent=parent)

        if ftype.is_struct:
            if "fields" in raw:
                if ftype.base in self.common:
                    self.fail(where, f"Can't re-specify the common struct {ftype.base} as an "
                                     "inline struct.")
                if not isinstance(raw["fields"], list):
                    self.fail(where, "fields must be an array")
                struct = Struct(ftype.base, reach, [], self.msg)
                self.register_struct(struct, where)
                struct.fields = self.build_fields(raw["fields"], struct, top_level=False)
                self.msg.structs.append(struct)
            elif ftype.base in self.common:
                struct = self.build_common(ftype.base)
            else:
                self.fail(where, f"no struct named {ftype.base} is defined")
            struct.uses += 1
            f.struct = struct
        f.default_value = self.parse_default(f, where)
        if ftype.is_struct and not ftype.is_array and not nullable.empty and default != "null":
            self.fail(where, f"nullable struct field {name} must have default \"null\" (kgw "
                             "represents a nullable struct as a pointer that starts out NULL)")
        return f

    def parse_default(self, f: Field, where: str):
        t = f.type
        text = f.default
        if text == "null":
            if not t.can_be_nullable:
                self.fail(where, f"Invalid default for {t}: null")
            if not f.nullable_versions.contains(f.versions):
                self.fail(where, f"null cannot be the default for field {f.name}, because not "
                                 f"all versions of this field are nullable.")
            return None
        if t.is_array or t.is_struct or t.base in ("bytes", "records"):
            if text not in (None, ""):
                self.fail(where, f"Invalid default for {t}: only empty or null defaults are "
                                 "supported")
            return None if t.base == "records" and not t.is_array else ""
        if text is None:
            return {"bool": False, "string": "", "uuid": bytes(16), "float64": 0.0}.get(t.base, 0)
        if t.base == "bool":
            if text.lower() not in ("true", "false"):
                self.fail(where, f"Invalid default for boolean field {f.name}: {text}")
            return text.lower() == "true"
        if t.base in INT_RANGES:
            lo, hi = INT_RANGES[t.base]
            try:
                if text.startswith("0x"):
                    value = int(text[2:], 16)
                    if text[2:].startswith(("-", "+")):
                        raise ValueError
                elif re.fullmatch(r"[+-]?(0|[1-9][0-9]*)", text):
                    value = int(text)
                else:
                    raise ValueError
            except ValueError:
                self.fail(where, f"Invalid default for {t.base} field {f.name}: {text}")
            if not lo <= value <= hi:
                self.fail(where, f"Invalid default for {t.base} field {f.name}: {text} is out "
                                 "of range")
            return value
        if t.base == "float64":
            try:
                # Java's Double.parseDouble spellings only: no digit
                # separators, no "inf"/"nan" in Python's lower case.
                if not FLOAT_RE.fullmatch(text.strip()):
                    raise ValueError
                value = float(text)
            except ValueError:
                self.fail(where, f"Invalid default for float64 field {f.name}: {text}")
            return value
        if t.base == "uuid":
            raw = b""
            if UUID_RE.fullmatch(text):  # URL-safe base64 of 16 bytes, padding optional
                raw = base64.urlsafe_b64decode(text[:22] + "==")
            if len(raw) != 16:
                self.fail(where, f"Invalid default for uuid field {f.name}: {text}")
            return raw
        if t.base == "string":
            if len(text.encode("utf-8")) > 0x7FFF:
                self.fail(where, "string default is longer than 32767 bytes")
            return text
        raise AssertionError(t.base)

    def check_c_names(self):
        """Each struct gets a type (stem_t), an array type (stem_array_t) and
        file-local helpers named after snake(struct name); none may clash."""
        seen: dict[str, str] = {}
        for s in self.msg.structs:
            for c in (s.c_stem, f"{s.c_stem}_array", f"decode_{snake(s.name)}"):
                other = seen.get(c)
                if other:
                    self.fail(s.name, f"C name {c} collides with struct {other}")
                seen[c] = s.name


def build_message(file: str, data: dict) -> Message:
    return _Builder(file, data).build()


def check_corpus(messages: list[Message]) -> None:
    """Checks across files: one request and one response per api key, pairs
    that agree, and C names unique over the whole corpus."""
    requests: dict[int, Message] = {}
    responses: dict[int, Message] = {}
    records: dict[int, Message] = {}
    for m in messages:
        table = {"request": requests, "response": responses, "metadata": records}.get(m.type)
        if table is None:
            continue
        if m.api_key in table:
            raise SpecError(f"{m.file}: {m.name}: api key {m.api_key} is also used by "
                            f"{table[m.api_key].file}")
        table[m.api_key] = m
    for key, req in requests.items():
        resp = responses.get(key)
        if resp is None:
            raise SpecError(f"{req.file}: {req.name}: no response has api key {key}")
        if req.valid_versions != resp.valid_versions:
            raise SpecError(f"{resp.file}: {resp.name}: validVersions {resp.valid_versions} "
                            f"differ from {req.name}'s {req.valid_versions}")
        if req.flexible_versions != resp.flexible_versions:
            raise SpecError(f"{resp.file}: {resp.name}: flexibleVersions "
                            f"{resp.flexible_versions} differ from {req.name}'s "
                            f"{req.flexible_versions}")
    for key, resp in responses.items():
        if key not in requests:
            raise SpecError(f"{resp.file}: {resp.name}: no request has api key {key}")
    seen: dict[str, str] = {}
    for m in messages:
        for s in m.structs:
            for c in (s.c_stem, f"{s.c_stem}_array"):
                other = seen.get(c)
                if other:
                    raise SpecError(f"{m.file}: {s.name}: C name {c} collides with {other}")
                seen[c] = f"{m.file} {s.name}"
