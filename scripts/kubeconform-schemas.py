#!/usr/bin/env python3
"""Writes kubeconform's JSON schemas from a Kubernetes OpenAPI v2 (swagger) document.

Usage: kubeconform-schemas.py SWAGGER_JSON OUT_DIR VERSION_DIR

Writes, for every definition the document maps to a group/version/kind
(x-kubernetes-group-version-kind), one file in each of
    OUT_DIR/VERSION_DIR-standalone/
    OUT_DIR/VERSION_DIR-standalone-strict/
named the way kubeconform's default schema template names it:
    {{ .ResourceKind }}{{ .KindSuffix }}.json
i.e. the lower-cased kind, then "-" + the group's first label (none for the core group), then
"-" + the version: pod-v1.json, deployment-apps-v1.json, ingress-networking-v1.json.

Each file is a self-contained JSON schema (draft 4, what kubeconform compiles by default): the
resource's own schema, plus a "definitions" section holding every definition it references, so
"$ref"s (recursive ones included) resolve inside the file. What changes from the OpenAPI document:
  - IntOrString accepts a string or an integer, Quantity a string or a number (what the API
    server's JSON decoding accepts; OpenAPI v2 only says "string");
  - a property that is not required also accepts null (the API server treats null as unset), and
    so does every definition: a "$ref" cannot be wrapped without turning each error message into an
    anyOf of two branches. So a required property whose type is a definition (rare: e.g. Binding's
    target) accepts null here where the API server's validation would reject it;
  - descriptions and x-kubernetes-* extensions are dropped (validation does not use them);
  - enums are kept: an API server's own /openapi/v2 lists the allowed values of enum-typed fields
    (imagePullPolicy, restartPolicy, ...), the swagger.json checked in upstream does not;
  - in the -strict variant, every object schema that lists its properties and says nothing about
    others gets "additionalProperties": false, so a misspelled or unknown field is an error. This
    is what `kubeconform -strict` relies on: it only switches to the -strict directory.
Python standard library only.
"""
import json
import os
import sys

REF_PREFIX = "#/definitions/"
INT_OR_STRING = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
QUANTITY_DEF = "io.k8s.apimachinery.pkg.api.resource.Quantity"
QUANTITY = {"oneOf": [{"type": "string"}, {"type": "number"}]}
DRAFT4 = "http://json-schema.org/draft-04/schema#"


def nullable(schema):
    """The same schema, also accepting null (a "$ref": its definition already does)."""
    if "$ref" in schema:
        return schema
    if "oneOf" in schema:
        return dict(schema, oneOf=schema["oneOf"] + [{"type": "null"}])
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = dict(schema, type=[kind, "null"])
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = schema["enum"] + [None]
    return schema  # no type: already accepts anything


def convert(schema, strict):
    """One OpenAPI v2 schema object as a draft-4 JSON schema (see the module docstring)."""
    if schema.get("format") == "int-or-string":
        return dict(INT_OR_STRING)
    out = {}
    for key, value in schema.items():
        if key == "description" or key.startswith("x-"):
            continue
        if key == "properties":
            required = set(schema.get("required", []))
            props = {}
            for name, prop in value.items():
                converted = convert(prop, strict)
                props[name] = converted if name in required else nullable(converted)
            out[key] = props
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = convert(value, strict)
        else:
            out[key] = value
    if strict and "properties" in schema and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


def refs(node, found):
    """Adds to `found` the definition names that `node` references."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX):])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def kind_suffix(group, version):
    """kubeconform's {{ .KindSuffix }} for apiVersion group/version (core: version only)."""
    suffix = "-" + (group.split(".")[0].lower() if group else version.lower())
    if group:
        suffix += "-" + version.lower()
    return suffix


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    swagger_path, out_dir, version_dir = argv[1:]
    with open(swagger_path, encoding="utf-8") as f:
        definitions = json.load(f).get("definitions") or {}
    if not definitions:
        sys.exit(f"{swagger_path}: no definitions (not an OpenAPI v2 document?)")

    for strict in (False, True):
        converted = {
            name: nullable(QUANTITY if name == QUANTITY_DEF else convert(schema, strict))
            for name, schema in definitions.items()
        }
        missing = set()
        for schema in converted.values():
            refs(schema, missing)
        missing -= converted.keys()
        if missing:
            sys.exit(f"{swagger_path}: references to undefined definitions: {sorted(missing)}")

        target = os.path.join(out_dir, version_dir + ("-standalone-strict" if strict else "-standalone"))
        os.makedirs(target, exist_ok=True)
        written = {}
        for name, original in sorted(definitions.items()):
            for gvk in original.get("x-kubernetes-group-version-kind") or []:
                filename = gvk["kind"].lower() + kind_suffix(gvk.get("group", ""), gvk["version"]) + ".json"
                if filename in written:
                    if written[filename] != name:
                        sys.exit(f"{filename}: both {written[filename]} and {name} map to it")
                    continue
                # The transitive closure of the definitions this one references.
                closure, todo = set(), [name]
                while todo:
                    found = set()
                    refs(converted[todo.pop()], found)
                    for ref in found - closure:
                        closure.add(ref)
                        todo.append(ref)
                document = {"$schema": DRAFT4}
                document.update(converted[name])
                if closure:
                    document["definitions"] = {ref: converted[ref] for ref in sorted(closure)}
                with open(os.path.join(target, filename), "w", encoding="utf-8") as f:
                    json.dump(document, f, separators=(",", ":"), sort_keys=True)
                written[filename] = name
        print(f"{os.path.basename(target)}: {len(written)} schemas", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
