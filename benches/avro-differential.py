#!/usr/bin/env python3
"""Differential test of schemaguard's Avro engine against Apache Avro's Python port (`pip install avro==1.12.0`).

Generates random, seeded Avro schema pairs (old, new), runs Avro's `ReaderWriterCompatibilityChecker` in both
directions and `schemaguard compat --format json` in BACKWARD (reader = new) and FORWARD (reader = old) modes, and
compares the verdict, the multiset of incompatibility types and the multiset of JSON pointers (the reader side:
`location.pointer` in BACKWARD, `previous.pointer` in FORWARD). A second pass compares schema validity: what
`avro.schema.parse` rejects against our PARSE_ERROR.

The Python port is not the reference: Java 1.12 `SchemaCompatibility` is. Where the port knowingly differs from Java
the oracle below is patched to behave like Java, and every pair on which the patch changed the port's answer is
counted as a "Python deviation" (not a disagreement). The deviations, each checked against
lang/java/avro/src/main/java/org/apache/avro/{SchemaCompatibility,Schema}.java (1.12):

  D1  non-union reader vs union writer: Java 1.12 (AVRO-3612) passes the writer branch index as the location token
      (`getCompatibility(Integer.toString(index), reader, s, location)`); the Python port calls
      `get_compatibility(reader, s)`, restarting the location at `/` (the 1.11 behaviour).
  D2  named-type aliases: Java qualifies a reader alias with the schema's namespace at parse time
      (`Schema.addAlias(alias, space)`), so `schemaNameEquals` compares qualified aliases with the writer's full
      name; the Python port compares the raw alias text, so an unqualified alias never matches a namespaced writer.
  D3  field lookup: Java's `lookupWriterField` collects the direct match and every alias match and throws
      `AvroRuntimeException` when there is more than one (Confluent turns that into the single error "Unexpected
      exception during compatibility check"); the port returns the first. The oracle raises where Java throws,
      and expects schemaguard's AMBIGUOUS_FIELD_ALIAS (alone) at the reader field.
  D5  empty namespace: Java reads `"namespace": ""` as the null namespace (full name = the bare name); the port
      turns "" into None and so inherits the enclosing namespace. A pair with `"namespace": ""` inside a namespaced
      type is not representable in the port and is counted, not compared.
  V1  validity: the Python parser does not validate field defaults ("TODO(hammer): check to ensure default is
      valid"), while Java's `Schema.Parser` (validateDefaults=true) and Confluent's new-schema parser reject a
      default that does not match its type; a schema Python accepts and we reject only for a default is counted
      as a deviation.

  V2  a union with two named branches of the same full name: Java rejects ("Duplicate in union"), the port accepts.
  V3  a field name that is not an Avro name: Java's `Schema.Field` rejects it, the port accepts any non-empty string.
  V4  a type name the port cannot resolve but Java can: a forward reference (Java 1.12 `ParseContext.resolve`
      returns an unresolved placeholder, resolved after the whole document), or a name not found in its namespace
      that exists in the null namespace (`ParseContext.resolve` retries with the last segment); the port rejects
      both ("Could not make an Avro Schema object from X").
  V5  JSON types: Java requires `symbols` to be an array and `aliases` an array of strings; the port iterates
      whatever it gets (a string of symbols, a string of aliases) and accepts.
  V6  `{"type": "Name"}` naming a defined type: Java 1.12 resolves it (`context.find(type, namespace)`); the port
      rejects it ("Undefined type").

A third pass checks schema references: two files per version (`lib.avsc` defines `com.lib.Lib`, `main.avsc` uses
it), compared as directories, each subject against the port parsing both into one name table, reference first
(what Confluent does with `resolvedReferences`).

Usage:  python3 benches/avro-differential.py [--pairs 2000] [--refs 300] [--validity 400] [--seed 1]
        [--bin $CARGO_TARGET_DIR/release/schemaguard] [--coverage] [--validity-table]
        [--emit tests/data/avro_differential.json]   # write the curated agreeing cases for the Rust test
Exit status 1 when a disagreement remains.
"""

import argparse
import ast
import collections
import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import warnings

warnings.simplefilter("ignore")  # the port warns about unknown logical types; Java ignores them silently too

try:
    import avro.compatibility as ac
    import avro.name
    import avro.schema
    from avro.compatibility import (
        ReaderWriterCompatibilityChecker,
        SchemaCompatibilityType,
        SchemaType,
        merge,
    )
except ImportError:  # pragma: no cover
    sys.exit("needs the Apache Avro Python package: pip install avro==1.12.0")

PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
TYPE_IDS = {
    "name_mismatch": "NAME_MISMATCH",
    "fixed_size_mismatch": "FIXED_SIZE_MISMATCH",
    "missing_enum_symbols": "MISSING_ENUM_SYMBOLS",
    "reader_field_missing_default_value": "READER_FIELD_MISSING_DEFAULT_VALUE",
    "type_mismatch": "TYPE_MISMATCH",
    "missing_union_branch": "MISSING_UNION_BRANCH",
}


# ---------------------------------------------------------------------------------------------------------------
# The oracle: the Python port, optionally patched to Java 1.12 semantics (D1, D2).


class JavaThrows(Exception):
    """D3: Java's `lookupWriterField` found several writer fields for one reader field."""

    def __init__(self, location):
        super().__init__(location)
        self.location = location


class JavaChecker(ReaderWriterCompatibilityChecker):
    """D1: a non-union reader against a union writer keeps the location and adds the writer branch index.
    D3: `lookupWriterField` collects the match by name plus one per distinct alias and throws on more than one."""

    def check_reader_writer_record_fields(self, reader, writer, location):
        for i, f in enumerate(reader.fields):
            hits = [f.name] if f.name in writer.fields_dict else []
            aliases = f.props.get("aliases") or []
            hits += [a for k, a in enumerate(aliases) if a not in aliases[:k] and a in writer.fields_dict]
            if len(hits) > 1:
                raise JavaThrows(ac.incompatible(ac.SchemaIncompatibilityType.type_mismatch, "",
                                                 location + ["fields", str(i)]).locations.pop())
        return super().check_reader_writer_record_fields(reader, writer, location)

    def calculate_compatibility(self, reader, writer, location):
        if reader.type != writer.type and writer.type == SchemaType.UNION:
            result = ac.CompatibleResult
            for i, s in enumerate(writer.schemas):
                result = merge(result, self.get_compatibility(reader, s, str(i), location))
            return result
        return super().calculate_compatibility(reader, writer, location)


_port_name_equals = ac.schema_name_equals


def _qualify(alias, namespace):
    if "." in alias or not namespace:
        return alias
    return f"{namespace}.{alias}"


def java_name_equals(reader, writer):
    """D2: Java's `schemaNameEquals` with aliases qualified by the reader's namespace."""
    if reader.name == writer.name:
        return True
    aliases = reader.props.get("aliases") or []
    return writer.fullname in {_qualify(a, reader.namespace) for a in aliases}


class Incompat:
    """One incompatibility with its own location, like Java's `Incompatibility` (the port only keeps a set of
    locations per result, and that set also picks up `/` from every merged compatible result)."""

    def __init__(self, kind, location, message):
        self.value = kind.value
        self.location = location
        self.message = java_message(kind.value, message)


_port_incompatible = ac.incompatible


def incompatible_with_location(incompat_type, message, location):
    res = _port_incompatible(incompat_type, message, location)
    (loc,) = res.locations
    res.incompatibilities = [Incompat(incompat_type, loc, message)]
    return res


def java_message(kind, msg):
    """The port's message in Java's words: type names upper-case (`Schema.Type` prints its constant name),
    missing symbols as a sorted `[A, B]` (a `TreeSet`), always "reader union lacking writer type: X"."""
    if kind == "type_mismatch":
        m = re.match(r"reader type: (\w+) not compatible with writer type: (\w+)$", msg)
        return f"reader type: {m.group(1).upper()} not compatible with writer type: {m.group(2).upper()}" if m else msg
    if kind == "missing_union_branch":
        m = re.match(r"reader union lacking writer type:? (\w+)$", msg)
        return f"reader union lacking writer type: {m.group(1).upper()}" if m else msg
    if kind == "missing_enum_symbols":
        try:
            return "[" + ", ".join(sorted(ast.literal_eval(msg))) + "]"
        except (ValueError, SyntaxError):
            return msg
    return msg


LAST_MESSAGES = {}


def oracle(reader, writer, java):
    """(compatible, sorted (rule id, JSON pointer) pairs) of `reader` reading `writer`; Java's message of each
    pair is left in LAST_MESSAGES."""
    LAST_MESSAGES.clear()
    ac.schema_name_equals = java_name_equals if java else _port_name_equals
    ac.incompatible = incompatible_with_location
    try:
        checker = JavaChecker() if java else ReaderWriterCompatibilityChecker()
        res = checker.get_compatibility(reader, writer)
    except JavaThrows as e:
        # Confluent reports the exception as the only error; schemaguard as AMBIGUOUS_FIELD_ALIAS.
        LAST_MESSAGES[("AMBIGUOUS_FIELD_ALIAS", e.location)] = {"matches several fields"}
        return False, [("AMBIGUOUS_FIELD_ALIAS", e.location)]
    finally:
        ac.schema_name_equals = _port_name_equals
        ac.incompatible = _port_incompatible
    ok = res.compatibility is SchemaCompatibilityType.compatible
    for t in res.incompatibilities:
        LAST_MESSAGES.setdefault((TYPE_IDS[t.value], t.location), set()).add(t.message)
    return ok, sorted((TYPE_IDS[t.value], t.location) for t in res.incompatibilities)


JAVA_DOUBLE = re.compile(r"^\s*[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)\s*$")


def java_valid_default(s, v, field_level=False):
    """Java 1.12 `Schema.isValidDefault` (what `Schema.Parser` with validateDefaults, and Confluent's parser for
    new schemas, enforce; the Python parser checks nothing). At field level, `Schema.parseField` first turns a
    string default of a float/double field into a number with `Double.parseDouble` ("NaN", "1.5", "2f" pass)."""
    t = s.type
    if field_level and t in ("float", "double") and isinstance(v, str):
        return bool(JAVA_DOUBLE.match(v))
    if t in ("string", "bytes", "enum", "fixed"):
        return isinstance(v, str)
    if t in ("int", "long"):
        lim = 2**31 if t == "int" else 2**63
        return isinstance(v, int) and not isinstance(v, bool) and -lim <= v < lim
    if t in ("float", "double"):
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "null":
        return v is None
    if t == "array":
        return isinstance(v, list) and all(java_valid_default(s.items, e) for e in v)
    if t == "map":
        return isinstance(v, dict) and all(java_valid_default(s.values, e) for e in v.values())
    if t == "union":
        return any(java_valid_default(b, v) for b in s.schemas)
    if t in ("record", "error"):
        if not isinstance(v, dict):
            return False
        for f in s.fields:
            if f.name in v:
                if not java_valid_default(f.type, v[f.name]):
                    return False
            elif not f.has_default:
                return False
        return True
    return False


FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def java_rejects(schema):
    """Why Java 1.12 (Confluent's parser for new schemas) rejects a schema the Python port accepts, or None:
    V1 a default that does not match its type, V2 a union with two named branches of the same full name
    (`Schema.UnionSchema`: "Duplicate in union"; the port only rejects duplicate unnamed types), V3 a field name
    that is not an Avro name (`Schema.Field` validates it; the port only requires a non-empty string)."""
    for rec in named_records(schema):
        for f in rec.fields:
            if not FIELD_NAME.match(f.name):
                return "V3"
            if f.has_default and not java_valid_default(f.type, f.default, field_level=True):
                return "V1"
    for u in unions(schema):
        names = [b.fullname for b in u.schemas if hasattr(b, "fullname")]
        if len(names) != len(set(names)):
            return "V2"
    return None


def unions(s, acc=None, seen=None):
    acc = [] if acc is None else acc
    seen = set() if seen is None else seen
    if id(s) in seen:
        return acc
    seen.add(id(s))
    t = s.type
    if t in ("record", "error"):
        for f in s.fields:
            unions(f.type, acc, seen)
    elif t == "array":
        unions(s.items, acc, seen)
    elif t == "map":
        unions(s.values, acc, seen)
    elif t == "union":
        acc.append(s)
        for b in s.schemas:
            unions(b, acc, seen)
    return acc


def named_records(s, acc=None, seen=None):
    acc = [] if acc is None else acc
    seen = set() if seen is None else seen
    if id(s) in seen:
        return acc
    seen.add(id(s))
    t = s.type
    if t == "record" or t == "error":
        acc.append(s)
        for f in s.fields:
            named_records(f.type, acc, seen)
    elif t == "array":
        named_records(s.items, acc, seen)
    elif t == "map":
        named_records(s.values, acc, seen)
    elif t == "union":
        for b in s.schemas:
            named_records(b, acc, seen)
    return acc


# ---------------------------------------------------------------------------------------------------------------
# The generator: a random base schema, then a random mutation of it.

WORDS = ["a", "b", "c", "d", "id", "name", "amount", "kind", "next", "items", "meta", "x", "y"]
SYMS = ["A", "B", "C", "D", "E", "F"]
NSS = [None, "com.acme", "org.ex", "ns"]
LOGICAL = [
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "long", "logicalType": "timestamp-micros"},
    {"type": "int", "logicalType": "date"},
    {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
    {"type": "string", "logicalType": "uuid"},
]


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.n = 0
        self.defined = []  # full names of named types defined so far (in document order), with their kind

    def fresh(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    def full(self, name, ns):
        if "." in name:
            return name
        return f"{ns}.{name}" if ns else name

    def schema(self, depth, ns, recs):
        """A random schema; `ns` is the enclosing namespace, `recs` the records being defined (for recursion)."""
        r = self.rng
        roll = r.random()
        if depth <= 0 or roll < 0.35:
            if recs and r.random() < 0.15:
                return ["null", recs[-1]]  # a recursive reference through an optional union
            if self.defined and r.random() < 0.12:
                full = r.choice(self.defined)  # reference to a named type defined earlier
                if ns and full.startswith(ns + ".") and "." not in full[len(ns) + 1:] and r.random() < 0.5:
                    return full[len(ns) + 1:]  # by its short name, resolved in the enclosing namespace
                return full
            roll = r.random()
            if roll < 0.06:
                return r.choice(LOGICAL)  # logical types: Avro's checker ignores them
            if roll < 0.12:
                return {"type": r.choice(PRIMS)}  # object form of a primitive
            return r.choice(PRIMS[1:]) if roll < 0.93 else "null"
        if roll < 0.5:
            return self.record(depth - 1, ns, recs)
        if roll < 0.6:
            return self.enum(ns)
        if roll < 0.67:
            return self.fixed(ns)
        if roll < 0.77:
            return {"type": "array", "items": self.schema(depth - 1, ns, recs)}
        if roll < 0.85:
            return {"type": "map", "values": self.schema(depth - 1, ns, recs)}
        return self.union(depth - 1, ns, recs)

    def named_head(self, prefix, ns):
        r = self.rng
        name = self.fresh(prefix)
        d = {"name": name}
        own_ns = ns
        if r.random() < 0.08:  # a dotted name carries its own namespace (and overrides a `namespace` key)
            own_ns = r.choice(NSS[1:])
            d["name"] = f"{own_ns}.{name}"
            if r.random() < 0.3:
                d["namespace"] = "ignored.ns"
            return d, own_ns
        if r.random() < 0.3:
            own_ns = r.choice(NSS)
            d["namespace"] = own_ns or ""
        return d, own_ns

    def record(self, depth, ns, recs):
        d, own_ns = self.named_head("R", ns)
        d = {"type": "record", **d}
        full = self.full(d["name"], own_ns)
        fields = []
        used = set()
        for _ in range(self.rng.randint(0, 4)):
            fname = self.rng.choice(WORDS)
            if fname in used:
                continue
            used.add(fname)
            f = {"name": fname, "type": self.schema(depth, own_ns, recs + [full])}
            if self.rng.random() < 0.3:
                dv = default_for(f["type"], self)
                if dv is not NO_DEFAULT:
                    f["default"] = dv
            fields.append(f)
        d["fields"] = fields
        self.defined.append(full)
        return d

    def enum(self, ns):
        d, own_ns = self.named_head("E", ns)
        syms = self.rng.sample(SYMS, self.rng.randint(1, 4))
        d = {"type": "enum", **d, "symbols": syms}
        if self.rng.random() < 0.3:
            d["default"] = self.rng.choice(syms)
        self.defined.append(self.full(d["name"], own_ns))
        return d

    def fixed(self, ns):
        d, own_ns = self.named_head("F", ns)
        d = {"type": "fixed", **d, "size": self.rng.choice([1, 2, 4, 16])}
        self.defined.append(self.full(d["name"], own_ns))
        return d

    def union(self, depth, ns, recs):
        branches, kinds = [], set()
        for _ in range(self.rng.randint(1, 4)):
            b = self.schema(depth, ns, recs)
            k = branch_key(b)
            if k in kinds or isinstance(b, list):
                continue
            kinds.add(k)
            branches.append(b)
        return branches or ["null"]


NO_DEFAULT = object()


def branch_key(s):
    if isinstance(s, str):
        return s
    if isinstance(s, dict):
        if s["type"] in ("record", "enum", "fixed"):
            return ("named", s["name"])
        return s["type"]
    return "union"


def default_for(s, gen, depth=0):
    """A valid default value for schema `s` (JSON), or NO_DEFAULT."""
    if depth > 6:
        return NO_DEFAULT
    if isinstance(s, list):
        return default_for(s[0], gen, depth + 1) if s else NO_DEFAULT
    if isinstance(s, str):
        table = {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.5, "double": 1.5,
                 "bytes": "", "string": ""}
        if s in table:
            return table[s]
        return NO_DEFAULT  # a reference: keep it simple
    t = s["type"]
    if t == "array":
        return []
    if t == "map":
        return {}
    if t == "enum":
        return s["symbols"][0]
    if t == "fixed":
        return "\u0000" * s["size"]
    if t == "record":
        out = {}
        for f in s["fields"]:
            v = default_for(f["type"], gen, depth + 1)
            if v is NO_DEFAULT:
                return NO_DEFAULT
            out[f["name"]] = v
        return out
    if t in PRIMS:
        return default_for(t, gen, depth + 1)
    return NO_DEFAULT


def walk(s, fn, parent=None, key=None):
    """Calls fn(node, parent, key) for every dict/list node (pre-order)."""
    fn(s, parent, key)
    if isinstance(s, dict):
        t = s.get("type")
        if t == "record":
            for i, f in enumerate(s.get("fields", [])):
                walk(f["type"], fn, f, "type")
        elif t == "array":
            walk(s["items"], fn, s, "items")
        elif t == "map":
            walk(s["values"], fn, s, "values")
        elif isinstance(t, (dict, list)):
            walk(t, fn, s, "type")
    elif isinstance(s, list):
        for i, b in enumerate(s):
            walk(b, fn, s, i)


def all_nodes(s):
    out = []
    walk(s, lambda n, p, k: out.append((n, p, k)))
    return out


def mutate(old, rng, gen):
    """A new schema derived from `old` by 1-3 random edits (may be invalid; validity is checked afterwards)."""
    new = copy.deepcopy(old)
    for _ in range(rng.randint(1, 3)):
        nodes = all_nodes(new)
        n, p, k = rng.choice(nodes)
        ops = []
        if isinstance(n, str) and n in PRIMS:
            ops += ["prim", "wrap_union"]
        if isinstance(n, list):
            ops += ["union_add", "union_drop", "union_unwrap", "union_reorder"]
        if isinstance(n, dict):
            t = n["type"]
            ops += ["wrap_union"]
            if t == "record":
                ops += ["field_add", "field_add", "field_drop", "field_rename", "field_default",
                        "rename", "namespace"]
            elif t == "enum":
                ops += ["sym_add", "sym_drop", "enum_default", "rename", "namespace"]
            elif t == "fixed":
                ops += ["size", "rename", "namespace"]
            elif t in ("array", "map"):
                ops += ["swap_container"]
        if isinstance(p, list) and rng.random() < 0.9:  # wrapping a union branch makes a nested union (invalid)
            ops = [o for o in ops if o != "wrap_union"]
        if not ops:
            continue
        op = rng.choice(ops)
        repl = None
        if op == "prim":
            repl = rng.choice(PRIMS)
        elif op == "wrap_union":
            extra = rng.choice(["null", "string", "int", "long"])
            repl = [extra, n] if rng.random() < 0.5 else [n, extra]
        elif op == "union_add":
            extra = rng.choice(PRIMS + [gen.schema(1, None, [])])
            if not isinstance(extra, list) or rng.random() < 0.1:
                n.insert(rng.randint(0, len(n)), extra)
        elif op == "union_drop" and len(n) > 1:
            n.pop(rng.randrange(len(n)))
        elif op == "union_unwrap" and n:
            repl = rng.choice(n)
        elif op == "union_reorder":
            rng.shuffle(n)
        elif op == "field_add":
            f = {"name": rng.choice(WORDS + ["z", "w"]), "type": gen.schema(1, None, [])}
            if rng.random() < 0.5:
                dv = default_for(f["type"], gen)
                if dv is not NO_DEFAULT:
                    f["default"] = dv
            if rng.random() < 0.15:
                f["aliases"] = [rng.choice(WORDS)]
            n["fields"].insert(rng.randint(0, len(n["fields"])), f)
        elif op == "field_drop" and n["fields"]:
            n["fields"].pop(rng.randrange(len(n["fields"])))
        elif op == "field_rename" and n["fields"]:
            f = rng.choice(n["fields"])
            oldname = f["name"]
            f["name"] = rng.choice(WORDS + ["renamed"])
            if rng.random() < 0.6:
                f["aliases"] = [oldname] + ([rng.choice(WORDS)] if rng.random() < 0.2 else [])
        elif op == "field_default" and n["fields"]:
            f = rng.choice(n["fields"])
            if "default" in f:
                del f["default"]
            else:
                dv = default_for(f["type"], gen)
                if dv is not NO_DEFAULT:
                    f["default"] = dv
        elif op == "rename":
            old_name = n["name"]
            prefix, _, old_short = old_name.rpartition(".")
            new_short = gen.fresh("N")
            n["name"] = f"{prefix}.{new_short}" if prefix else new_short
            # Generated names are unique, so the old full name is the one ending in the old short name.
            fulls = [f for f in java_full_names(new)[0] if f.rpartition(".")[2] == old_short]
            old_full = fulls[0] if fulls else old_short
            r = rng.random()
            if r < 0.3:
                n["aliases"] = [old_short]  # unqualified: qualified by the schema's namespace (Java)
            elif r < 0.6:
                n["aliases"] = [old_full]
            elif r < 0.7:
                n["aliases"] = ["other.ns." + old_short]

            def rename_ref(node, parent, key):
                if parent is not None and isinstance(node, str) and node.rpartition(".")[2] == old_short:
                    parent[key] = node.rpartition(".")[0] + ("." if "." in node else "") + new_short

            walk(new, rename_ref)
        elif op == "namespace":
            n["namespace"] = rng.choice(["com.acme", "org.ex", "ns2", ""])
        elif op == "sym_add":
            extra = [s for s in SYMS + ["G", "H"] if s not in n["symbols"]]
            if extra:
                n["symbols"].insert(rng.randint(0, len(n["symbols"])), rng.choice(extra))
        elif op == "sym_drop" and len(n["symbols"]) > 1:
            gone = n["symbols"].pop(rng.randrange(len(n["symbols"])))
            if n.get("default") == gone:
                del n["default"]
        elif op == "enum_default":
            if "default" in n:
                del n["default"]
            else:
                n["default"] = rng.choice(n["symbols"])
        elif op == "size":
            n["size"] = rng.choice([1, 2, 4, 8, 16, 32])
        elif op == "swap_container":
            if n["type"] == "array":
                repl = {"type": "map", "values": n["items"]}
            else:
                repl = {"type": "array", "items": n["values"]}
        if repl is not None:
            if p is None:
                new = repl
            else:
                p[k] = repl
    return new


def gen_pair(rng):
    gen = Gen(rng)
    old = gen.record(rng.randint(1, 4), None, [])
    if rng.random() < 0.08:  # a non-record root now and then
        old = rng.choice([[old, "null"], {"type": "array", "items": old}, gen.enum(None)])
    return old, mutate(old, rng, gen)


def gen_ref_pair(rng):
    """Two files per version, like a Confluent subject with a reference: `lib.avsc` defines a named type in its own
    namespace, `main.avsc` uses it by full name (and may define its own types). Top-level names stay fixed so that
    subjects pair by name; everything below them is mutated."""
    gen = Gen(rng)
    kind = rng.choice(["record", "enum", "fixed"])
    lib = {"record": lambda: gen.record(2, None, []), "enum": lambda: gen.enum(None),
           "fixed": lambda: gen.fixed(None)}[kind]()
    rename_root(lib, "com.lib.Lib")
    gen.defined = ["com.lib.Lib"]
    main = gen.record(rng.randint(1, 3), None, [])
    rename_root(main, "Main")
    main["fields"].append({"name": "lib", "type": "com.lib.Lib"})
    if rng.random() < 0.5:
        main["fields"].append({"name": "libs", "type": {"type": "array", "items": ["null", "com.lib.Lib"]}})
    new_lib = mutate(lib, rng, gen) if rng.random() < 0.7 else copy.deepcopy(lib)
    new_main = mutate(main, rng, gen) if rng.random() < 0.7 else copy.deepcopy(main)
    # Subjects are named by the top-level full name: keep it so that both versions pair.
    for d, full in ((new_lib, "com.lib.Lib"), (new_main, "Main")):
        if isinstance(d, dict) and d.get("type") in ("record", "enum", "fixed"):
            rename_root(d, full)
    return (lib, main), (new_lib, new_main)


def rename_root(doc, full):
    """Gives the top-level type the full name `full`, and its self-references too."""
    name = doc["name"]
    ns = doc.get("namespace") or None
    old_full = name if "." in name else (f"{ns}.{name}" if ns else name)
    short = old_full.rpartition(".")[2]

    def fn(n, p, k):
        if p is not None and isinstance(n, str) and n in (old_full, short):
            p[k] = full

    walk(doc, fn)
    doc.pop("aliases", None)
    doc.pop("namespace", None)
    ns, _, doc["name"] = full.rpartition(".")
    if ns:
        doc["namespace"] = ns


def parse_with_refs(lib_json, main_json):
    """The port parsing a schema with a reference: one name table, the reference first (Confluent's
    AvroSchema parses `resolvedReferences` into the same Schema.Parser before the main schema)."""
    names = avro.name.Names()
    lib = avro.schema.make_avsc_object(lib_json, names)
    main = avro.schema.make_avsc_object(main_json, names)
    return lib, main


def refs_pass(args, rng, tmp, stats, disagreements, reasons):
    for j in range(args.refs):
        (old_lib, old_main), (new_lib, new_main) = gen_ref_pair(rng)
        if not all(isinstance(x, dict) and x.get("name") in ("Lib", "Main") for x in (new_lib, new_main)) \
                or new_lib.get("type") != old_lib.get("type"):
            stats["refs_skipped"] += 1
            continue
        try:
            o_lib, o_main = parse_with_refs(old_lib, old_main)
            n_lib, n_main = parse_with_refs(new_lib, new_main)
        except Exception as e:
            stats["refs_skipped"] += 1
            reasons["refs: " + str(e)[:60]] += 1
            continue
        if any(java_rejects(x) for x in (o_lib, o_main, n_lib, n_main)) or \
                any(java_full_names(x)[1] for x in (old_lib, old_main, new_lib, new_main)):
            stats["refs_skipped"] += 1
            continue
        d = os.path.join(tmp, f"refs{j}")
        for side, (lib, main) in (("old", (old_lib, old_main)), ("new", (new_lib, new_main))):
            os.makedirs(os.path.join(d, side))
            for name, doc in (("lib", lib), ("main", main)):
                with open(os.path.join(d, side, f"{name}.avsc"), "w") as fh:
                    json.dump(doc, fh)
        stats["refs_pairs"] += 1
        for mode, side in (("BACKWARD", "location"), ("FORWARD", "previous")):
            doc, err = run_tool(args.bin, mode, os.path.join(d, "old"), os.path.join(d, "new"))
            if doc is None:
                disagreements.append(("REFS " + mode, json.dumps([old_lib, old_main]), json.dumps([new_lib, new_main]),
                                      "", ("tool failed", err)))
                continue
            for subject, (ro, rn) in (("com.lib.Lib", (o_lib, n_lib)), ("Main", (o_main, n_main))):
                reader, writer = (rn, ro) if mode == "BACKWARD" else (ro, rn)
                want = oracle(reader, writer, java=True)
                # A change to the shared type is one finding naming every subject it breaks (`subjects`).
                sub = {**doc, "findings": [f for f in doc.get("findings", [])
                                           if subject in (f.get("subjects") or [f.get("subject")])]}
                ok, found, parse, _ = tool_view(sub, side)
                got = (ok, found) if not parse else ("PARSE_ERROR", [f["message"] for f in parse])
                if got != want and got[0] == want[0] and set(got[1]) == set(want[1]):
                    got = want  # D4
                stats["refs_checks"] += 1
                if got == want:
                    stats["refs_agree"] += 1
                    stats["refs_agree_incompatible"] += not want[0]
                else:
                    disagreements.append((f"REFS {mode} {subject}", json.dumps([old_lib, old_main]),
                                          json.dumps([new_lib, new_main]), want, got))


# ---------------------------------------------------------------------------------------------------------------
# Validity fuzzing: schemas broken on purpose.

BREAKERS = [
    ("bad_default", lambda s, r: set_first(s, "fields", lambda f: f.__setitem__("default", "not-a-default"))),
    ("dup_field", lambda s, r: set_first_rec(s, lambda rec: rec["fields"].append(copy.deepcopy(rec["fields"][0])) if rec["fields"] else None)),
    ("bad_name", lambda s, r: s.__setitem__("name", "1bad")),
    ("unknown_ref", lambda s, r: s["fields"].append({"name": "zz", "type": "Missing"})),
    ("dup_symbol", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": ["A", "A"]}})),
    ("enum_default_unknown", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": ["A"], "default": "B"}})),
    ("nested_union", lambda s, r: s["fields"].append({"name": "zz", "type": ["null", ["int", "string"]]})),
    ("dup_union_branch", lambda s, r: s["fields"].append({"name": "zz", "type": ["int", "int"]})),
    ("negative_size", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "FF", "size": -1}})),
    ("redefined", lambda s, r: s["fields"].extend([{"name": "z1", "type": {"type": "fixed", "name": "FF", "size": 1}}, {"name": "z2", "type": {"type": "fixed", "name": "FF", "size": 2}}])),
    ("bad_symbol", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": ["a-b"]}})),
    ("missing_fields", lambda s, r: s.pop("fields")),
    ("bad_field_name", lambda s, r: s["fields"].append({"name": "a b", "type": "int"})),
    ("default_null_second", lambda s, r: s["fields"].append({"name": "zz", "type": ["int", "null"], "default": None})),
    ("bad_namespace", lambda s, r: s.__setitem__("namespace", "a..b")),
    ("primitive_name", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "int", "size": 1}})),
    ("empty_union", lambda s, r: s["fields"].append({"name": "zz", "type": []})),
    ("single_union", lambda s, r: s["fields"].append({"name": "zz", "type": ["null"], "default": None})),
    ("no_symbols", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": []}})),
    ("zero_size", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "FF", "size": 0}})),
    ("size_string", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "FF", "size": "4"}})),
    ("size_float", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "FF", "size": 4.0}})),
    ("unknown_type_name", lambda s, r: s["fields"].append({"name": "zz", "type": "integer"})),
    ("object_unknown_type", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "integer"}})),
    ("field_no_type", lambda s, r: s["fields"].append({"name": "zz"})),
    ("field_no_name", lambda s, r: s["fields"].append({"type": "int"})),
    ("fields_not_list", lambda s, r: s.__setitem__("fields", {})),
    ("symbols_not_list", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": "A"}})),
    ("enum_default_not_string", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": ["A"], "default": 1}})),
    ("alias_not_string", lambda s, r: s.__setitem__("aliases", [1])),
    ("aliases_not_list", lambda s, r: s.__setitem__("aliases", "Old")),
    ("field_alias_not_list", lambda s, r: s["fields"].append({"name": "zz", "type": "int", "aliases": "x"})),
    ("bad_alias_name", lambda s, r: s.__setitem__("aliases", ["1x"])),
    ("bad_field_alias_name", lambda s, r: s["fields"].append({"name": "zz", "type": "int", "aliases": ["a b"], "default": 0})),
    ("namespace_not_string", lambda s, r: s.__setitem__("namespace", 5)),
    ("name_not_string", lambda s, r: s.__setitem__("name", 5)),
    ("no_name", lambda s, r: s.pop("name")),
    ("dotted_name_bad", lambda s, r: s.__setitem__("name", "a.1b")),
    ("trailing_dot_name", lambda s, r: s.__setitem__("name", "a.b.")),
    ("unicode_name", lambda s, r: s.__setitem__("name", "Ünïcode")),
    ("bad_order", lambda s, r: s["fields"].append({"name": "zz", "type": "int", "order": "up"})),
    ("decimal_bad", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 5}})),
    ("logical_unknown", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "int", "logicalType": "nope"}})),
    ("array_no_items", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "array"}})),
    ("map_no_values", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "map"}})),
    ("int_default_float", lambda s, r: s["fields"].append({"name": "zz", "type": "int", "default": 1.5})),
    ("int_default_big", lambda s, r: s["fields"].append({"name": "zz", "type": "int", "default": 3000000000})),
    ("long_default_float", lambda s, r: s["fields"].append({"name": "zz", "type": "long", "default": 1.0})),
    ("float_default_string", lambda s, r: s["fields"].append({"name": "zz", "type": "float", "default": "NaN"})),
    ("bytes_default_number", lambda s, r: s["fields"].append({"name": "zz", "type": "bytes", "default": 0})),
    ("enum_field_default_unknown", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "enum", "name": "EE", "symbols": ["A"]}, "default": "B"})),
    ("fixed_default_wrong_len", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "fixed", "name": "FF", "size": 2}, "default": "a"})),
    ("record_default_missing_field", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "record", "name": "RR", "fields": [{"name": "q", "type": "int"}]}, "default": {}})),
    ("union_default_later_branch", lambda s, r: s["fields"].append({"name": "zz", "type": ["null", "string"], "default": "x"})),
    ("null_type_default_missing", lambda s, r: s["fields"].append({"name": "zz", "type": "null", "default": None})),
    ("nested_type_object", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": {"type": "int"}}})),
    ("record_type_ref", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "R1"}})),
    ("error_type", lambda s, r: s["fields"].append({"name": "zz", "type": {"type": "error", "name": "Err", "fields": []}})),
    ("valid", lambda s, r: None),
]


def set_first(s, key, fn):
    if isinstance(s, dict) and s.get(key):
        fn(s[key][0])


def set_first_rec(s, fn):
    fn(s)


# ---------------------------------------------------------------------------------------------------------------
# Running schemaguard.


def java_full_names(s, ns=None, acc=None, empty_ns_nested=None):
    """Java's full names of the named types defined in `s`; also whether some type has `"namespace": ""` inside a
    non-empty enclosing namespace (D5)."""
    acc = set() if acc is None else acc
    flag = [False] if empty_ns_nested is None else empty_ns_nested
    if isinstance(s, list):
        for b in s:
            java_full_names(b, ns, acc, flag)
    elif isinstance(s, dict):
        t = s.get("type")
        if t in ("record", "error", "enum", "fixed") and isinstance(s.get("name"), str):
            name = s["name"]
            if "." in name:
                own = name.rsplit(".", 1)[0]
                full = name
            else:
                own = s.get("namespace", ns)
                if own == "" and ns:
                    flag[0] = True
                full = f"{own}.{name}" if own else name
            acc.add(full)
            if t in ("record", "error"):
                for f in s.get("fields") or []:
                    if isinstance(f, dict):
                        java_full_names(f.get("type"), own or None, acc, flag)
        elif t == "array":
            java_full_names(s.get("items"), ns, acc, flag)
        elif t == "map":
            java_full_names(s.get("values"), ns, acc, flag)
        elif isinstance(t, (dict, list)):
            java_full_names(t, ns, acc, flag)
    return acc, flag[0]


def java_rejects_json(s):
    """V5: Java checks the JSON types the port does not: `symbols` must be an array (`Enum has no symbols`),
    `aliases` an array (`aliases not an array`) of strings (`alias not a string`), for types and fields."""

    def bad_aliases(d):
        a = d.get("aliases")
        return a is not None and (not isinstance(a, list) or not all(isinstance(x, str) for x in a))

    found = []

    def fn(n, p, k):
        if isinstance(n, dict):
            if n.get("type") == "enum" and not isinstance(n.get("symbols"), list):
                found.append(n)
            if n.get("type") in ("record", "error", "enum", "fixed") and bad_aliases(n):
                found.append(n)
            if n.get("type") in ("record", "error"):
                found.extend(f for f in n.get("fields") or [] if isinstance(f, dict) and bad_aliases(f))

    walk(s, fn)
    return bool(found)


def object_reference(perr, schema_json):
    """V6: `{"type": "com.acme.Name"}` (an object whose type is a defined name): Java 1.12 resolves it
    (`Schema.parse` ends with `context.find(type, currentNameSpace)`), the port says "Undefined type"."""
    m = re.search(r"Undefined type: ([A-Za-z0-9_.]+)", perr or "")
    if not m:
        return False
    fulls = java_full_names(schema_json)[0]
    return m.group(1) in fulls or any(f.endswith("." + m.group(1)) for f in fulls)


def null_namespace_fallback(perr, schema_json):
    """V4: the port could not resolve a name that Java resolves: a forward reference (Java 1.12's ParseContext
    returns an unresolved placeholder and resolves it once the document is read) or a name found only in the null
    namespace (`ParseContext.resolve` retries with the last segment of the full name). Approximated by: the name,
    or its last segment, is some defined type's full name or last segment."""
    m = re.search(r"Could not make an Avro Schema object from ([A-Za-z0-9_.]+)", perr or "")
    if not m:
        return False
    name = m.group(1)
    fulls = java_full_names(schema_json)[0]
    last = name.rpartition(".")[2]
    return name in fulls or last in fulls or any(f.endswith("." + name) for f in fulls)


def run_tool(binary, mode, old_path, new_path):
    p = subprocess.run([binary, "compat", "--mode", mode, "--format", "json", old_path, new_path],
                       capture_output=True, text=True)
    try:
        return json.loads(p.stdout), None
    except json.JSONDecodeError:
        return None, p.stdout[:300]


def tool_view(doc, side):
    fs = doc.get("findings", [])
    parse = [f for f in fs if f["rule"] in ("PARSE_ERROR", "READ_ERROR")]
    fs = [f for f in fs if f["rule"] in TYPE_IDS.values() or f["rule"] == "AMBIGUOUS_FIELD_ALIAS"]
    found = sorted((f["rule"], (f.get(side) or {}).get("pointer", "?")) for f in fs)
    messages = collections.defaultdict(list)
    for f in fs:
        messages[(f["rule"], (f.get(side) or {}).get("pointer", "?"))].append(f["message"])
    return not fs, found, parse, messages


def parse_py(text):
    try:
        return avro.schema.parse(text), None
    except Exception as e:  # any exception is a rejection
        return None, f"{type(e).__name__}: {e}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "schemaguard"))
    ap.add_argument("--refs", type=int, default=300, help="two-file (schema reference) pairs")
    ap.add_argument("--validity", type=int, default=400, help="schemas for the validity pass")
    ap.add_argument("--emit", help="write curated agreeing cases (JSON) for tests/avro_differential.rs")
    ap.add_argument("--coverage", action="store_true", help="count compared incompatibilities by kind")
    ap.add_argument("--validity-table", action="store_true", help="per-breaker validity outcomes")
    ap.add_argument("--show", type=int, default=5, help="disagreements to print")
    args = ap.parse_args()
    if not os.path.isfile(args.bin):
        sys.exit(f"{args.bin}: not found; build it with `cargo build --release` (or pass --bin)")
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="avrodiff-")
    stats = collections.Counter()
    disagreements = []
    cases = []
    reasons = collections.Counter()
    coverage = collections.Counter()
    i = 0
    while stats["pairs"] < args.pairs:
        i += 1
        old, new = gen_pair(rng)
        old_text, new_text = json.dumps(old), json.dumps(new)
        old_s, err_o = parse_py(old_text)
        new_s, err_n = parse_py(new_text)
        if old_s is None or new_s is None:
            # The port rejects the mutated schema: we must reject it too (unless V4 or D5 applies).
            stats["skipped_invalid_mutation"] += 1
            bad, bad_json, perr = (old_text, old, err_o) if old_s is None else (new_text, new, err_n)
            path = os.path.join(tmp, f"m{i}.avsc")
            with open(path, "w") as fh:
                fh.write(bad)
            doc, _ = run_tool(args.bin, "BACKWARD", path, path)
            ours = bool(doc and any(f["rule"] == "PARSE_ERROR" for f in doc.get("findings", [])))
            reasons[perr.split(":")[0] + ":" + perr.rsplit(":", 1)[-1][:40]] += 1
            if ours:
                stats["invalid_mutation_both_reject"] += 1
            elif null_namespace_fallback(perr, bad_json):
                stats["invalid_mutation_V4"] += 1
            elif java_full_names(bad_json)[1]:
                stats["invalid_mutation_D5"] += 1
            else:
                disagreements.append(("VALIDITY(port rejects)", bad, "", perr, "accepted"))
            continue
        if java_full_names(old)[1] or java_full_names(new)[1]:
            stats["skipped_D5_empty_namespace"] += 1
            continue
        why = java_rejects(old_s) or java_rejects(new_s)
        if why:
            # V1-V3: Java rejects what the port accepts. We must report PARSE_ERROR.
            stats["skipped_java_invalid"] += 1
            stats["skipped_java_invalid_" + why] += 1
            bad = new_text if java_rejects(new_s) else old_text
            path = os.path.join(tmp, f"d{i}.avsc")
            with open(path, "w") as fh:
                fh.write(bad)
            doc, _ = run_tool(args.bin, "BACKWARD", path, path)
            if not (doc and any(f["rule"] == "PARSE_ERROR" for f in doc.get("findings", []))):
                disagreements.append(("VALIDITY(default)", bad, "", "PARSE_ERROR", "accepted"))
            continue
        stats["pairs"] += 1
        d = os.path.join(tmp, str(i))
        os.makedirs(d)
        op, np_ = os.path.join(d, "old.avsc"), os.path.join(d, "new.avsc")
        with open(op, "w") as fh:
            fh.write(old_text)
        with open(np_, "w") as fh:
            fh.write(new_text)
        for mode, reader, writer, side in (("BACKWARD", new_s, old_s, "location"),
                                           ("FORWARD", old_s, new_s, "previous")):
            stats["checks"] += 1
            want = oracle(reader, writer, java=True)
            want_messages = dict(LAST_MESSAGES)
            if want[1] and want[1][0][0] == "AMBIGUOUS_FIELD_ALIAS":
                stats["java_throws"] += 1
            port = oracle(reader, writer, java=False)
            if port != want:
                stats["python_deviation"] += 1
                stats["python_deviation_" + deviation(port, want)] += 1
            doc, err = run_tool(args.bin, mode, op, np_)
            if doc is None:
                disagreements.append((mode, old_text, new_text, want, ("tool failed", err)))
                continue
            ok, found, parse, messages = tool_view(doc, side)
            got = (ok, found)
            if parse:
                got = ("PARSE_ERROR", [f["message"] for f in parse])
            if got != want and got[0] == want[0] and set(got[1]) == set(want[1]) and len(set(want[1])) < len(want[1]):
                # D4: Java repeats a memoized pair's incompatibilities at their first location; schemaguard's
                # report removes exact duplicate findings. Compare without the repeats.
                stats["memo_repeats_collapsed"] += 1
                got = want
            if got == want:
                # Each of Java's messages (`additionalInfo` in Confluent's error) must appear in the finding at that
                # place; for a missing field the message is the field name, which we quote.
                for key, jmsgs in want_messages.items():
                    for jm in jmsgs:
                        stats["messages_checked"] += 1
                        shape = re.sub(r"\[.*\]", "[…]", re.sub(r"expected: .*", "expected: …", jm))
                        coverage[(key[0], shape if key[0] != "READER_FIELD_MISSING_DEFAULT_VALUE" else "")] += 1
                        needle = f"`{jm}`" if key[0] == "READER_FIELD_MISSING_DEFAULT_VALUE" else jm
                        if not any(needle in m for m in messages.get(key, [])):
                            stats["message_mismatch"] += 1
                            if stats["message_mismatch"] <= args.show:
                                print(f"  message: {key} java {jm!r} not in {messages.get(key)}")
                stats["agree"] += 1
                if not want[0]:
                    stats["agree_incompatible"] += 1
                cases.append({"mode": mode, "old": old, "new": new, "compatible": want[0],
                              "findings": [list(x) for x in sorted(set(want[1]))],
                              "python_port_differs": deviation(port, want)})
            else:
                disagreements.append((mode, old_text, new_text, want, got))

    refs_reasons = collections.Counter()
    refs_pass(args, random.Random(args.seed + 2000), tmp, stats, disagreements, refs_reasons)

    # Validity pass: the port's parser against ours, V1-V3 accounted for.
    vstats = collections.Counter()
    vdis = []
    vtable = collections.OrderedDict()
    vrng = random.Random(args.seed + 1000)
    for j in range(args.validity):
        gen = Gen(vrng)
        s = gen.record(vrng.randint(1, 3), None, [])
        name, breaker = BREAKERS[j % len(BREAKERS)]
        try:
            breaker(s, vrng)
        except (IndexError, KeyError, TypeError):
            pass
        text = json.dumps(s)
        ps, perr = parse_py(text)
        jwhy = java_rejects(ps) if ps is not None else None
        path = os.path.join(tmp, f"v{j}.avsc")
        with open(path, "w") as fh:
            fh.write(text)
        doc, err = run_tool(args.bin, "BACKWARD", path, path)
        ours = bool(doc and any(f["rule"] == "PARSE_ERROR" for f in doc.get("findings", [])))
        vstats["schemas"] += 1
        py_rejects = perr is not None
        before = sum(vstats.values()), len(vdis)
        vstats_before = collections.Counter(vstats)
        if py_rejects == ours:
            vstats["agree"] += 1
        elif ours and not py_rejects and jwhy:
            vstats["deviation_" + jwhy] += 1
        elif ours and not py_rejects and java_rejects_json(s):
            vstats["deviation_V5"] += 1
        elif not ours and py_rejects and object_reference(perr, s):
            vstats["deviation_V6"] += 1
        elif not ours and py_rejects and null_namespace_fallback(perr, s):
            vstats["deviation_V4"] += 1
        elif java_full_names(s)[1]:
            vstats["deviation_D5"] += 1
        else:
            vdis.append((name, text, perr, [f["message"] for f in (doc or {}).get("findings", [])]))
        outcome = "DISAGREE" if len(vdis) > before[1] else next(
            (k for k in ("deviation_V1", "deviation_V2", "deviation_V3", "deviation_V4", "deviation_V5",
                         "deviation_V6", "deviation_D5", "agree") if vstats[k] != vstats_before[k]), "?")
        key = f"port {'rejects' if py_rejects else 'accepts'}, we {'reject' if ours else 'accept'}: {outcome}"
        vtable.setdefault(name, collections.Counter())[key] += 1

    print(f"seed {args.seed}: {stats['pairs']} pairs ({stats['skipped_invalid_mutation']} invalid mutations "
          f"skipped; {stats['skipped_java_invalid']} that Java rejects (V1-V3), checked for PARSE_ERROR), "
          f"{stats['checks']} directed checks")
    print(f"  invalid mutations: we reject {stats['invalid_mutation_both_reject']}, V4 {stats['invalid_mutation_V4']}, "
          f"D5 {stats['invalid_mutation_D5']}; top reasons: {reasons.most_common(4)}")
    print(f"  agree: {stats['agree']} ({stats['agree_incompatible']} of them incompatible)")
    print(f"  python deviations absorbed (D1-D3, oracle patched to Java 1.12): {stats['python_deviation']}")
    print(f"  of which Java throws, expected as AMBIGUOUS_FIELD_ALIAS (D3): {stats['java_throws']}")
    print(f"  empty namespace inside a namespace (D5, not compared): {stats['skipped_D5_empty_namespace']}")
    print(f"  DISAGREE: {len(disagreements)}; Avro messages missing from agreeing findings: "
          f"{stats['message_mismatch']} of {stats['messages_checked']}")
    for mode, o, n, want, got in disagreements[: args.show]:
        print(f"  - {mode}\n    old: {o}\n    new: {n}\n    oracle(java): {want}\n    schemaguard:  {got}")
    if args.coverage:
        print("incompatibilities compared, by rule and Java message shape:")
        for (rule, shape), n in sorted(coverage.items()):
            print(f"  {n:6}  {rule}  {shape}")
    if args.validity_table:
        print("validity per breaker (port rejects / schemaguard rejects / outcome):")
        for name, c in vtable.items():
            print(f"  {name:28} " + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))
    print(f"references: {stats['refs_pairs']} two-file pairs ({stats['refs_skipped']} skipped as invalid), "
          f"{stats['refs_checks']} subject checks, agree {stats['refs_agree']} "
          f"({stats['refs_agree_incompatible']} incompatible); top skip reasons "
          f"{refs_reasons.most_common(3)}")
    print(f"  D4 memo repeats collapsed by the report's exact-duplicate removal: {stats['memo_repeats_collapsed']}")
    print(f"validity: {vstats['schemas']} schemas, agree {vstats['agree']}, Java-stricter deviations "
          f"V1 {vstats['deviation_V1']} V2 {vstats['deviation_V2']} V3 {vstats['deviation_V3']}; port stricter V4 "
          f"{vstats['deviation_V4']} V6 {vstats['deviation_V6']}; Java type checks V5 {vstats['deviation_V5']}; "
          f"D5 {vstats['deviation_D5']}; DISAGREE {len(vdis)}")
    by_breaker = collections.OrderedDict()
    for d in vdis:
        by_breaker.setdefault(d[0], []).append(d)
    for name, ds in list(by_breaker.items())[: args.show]:
        _, text, perr, ours = min(ds, key=lambda d: len(d[1]))
        print(f"  - {name} ({len(ds)}x): {text}\n    python: {perr}\n    schemaguard: {ours}")
    if args.emit:
        emit(cases, args.emit)
    return 1 if disagreements or vdis or stats["message_mismatch"] else 0


def deviation(port, want):
    """Which known deviation separates the port's answer from Java's (None when they agree)."""
    if port == want:
        return None
    if any(t == "AMBIGUOUS_FIELD_ALIAS" for t, _ in want[1]):
        return "D3"
    if port[0] == want[0] and sorted(t for t, _ in port[1]) == sorted(t for t, _ in want[1]):
        return "D1"  # same verdict and types, other locations (D2 can also move locations, rarely)
    return "D2"


def tags(c):
    """Features of a case, to pick a varied sample."""
    text = json.dumps([c["old"], c["new"]])
    out = {t for t in ("aliases", "logicalType", "namespace", "default", "fixed", "enum", "map", "array")
           if f'"{t}"' in text}
    if c["python_port_differs"]:
        out.add("port:" + c["python_port_differs"])
    names = java_full_names(c["old"])[0] | java_full_names(c["new"])[0]
    if any(f'"{n}"' in text and text.count(f'"{n}"') > 1 for n in names):
        out.add("reference")
    if any(f'"{n.rpartition(".")[2]}"' in text and "." in n for n in names):
        out.add("qualified")
    if isinstance(c["old"], list) or (isinstance(c["old"], dict) and c["old"].get("type") != "record"):
        out.add("non-record-root")
    return out


def emit(cases, path):
    """Keeps 50 interesting agreeing cases: the smallest of each (mode, set of rule ids), then the smallest case
    for each feature not covered yet (known port deviations, references and recursion, aliases, logical types, …),
    then a seeded random fill; small ones preferred so that the file stays readable."""
    rng = random.Random(7)
    small = sorted((c for c in cases if len(json.dumps([c["old"], c["new"]])) < 1200),
                   key=lambda c: len(json.dumps([c["old"], c["new"]])))
    picked, seen, covered = [], set(), set()

    def take(c):
        if c not in picked:
            picked.append(c)
            covered.update((c["mode"], t) for t in tags(c))

    for c in small:
        k = (c["mode"], tuple(sorted({t for t, _ in c["findings"]})))
        if k not in seen and c["findings"]:
            seen.add(k)
            take(c)
    for c in small:
        if any((c["mode"], t) not in covered for t in tags(c)):
            take(c)
    rest = [c for c in small if c not in picked and c["findings"]]
    rng.shuffle(rest)
    for c in rest[: max(0, 44 - len(picked))]:
        take(c)
    for c in [c for c in small if not c["findings"] and c not in picked][:6]:
        take(c)
    picked = sorted(picked[:50], key=lambda c: (c["mode"], len(json.dumps(c))))
    with open(path, "w") as fh:
        json.dump({"generator": "benches/avro-differential.py --emit (see its header for D1-D5, V1-V4)",
                   "oracle": "Apache Avro 1.12.0 Python port (avro/compatibility.py), patched to Java 1.12 "
                             "SchemaCompatibility semantics (D1-D3)",
                   "cases": picked}, fh, indent=1)
        fh.write("\n")
    print(f"wrote {len(picked)} cases to {path}")


if __name__ == "__main__":
    sys.exit(main())
