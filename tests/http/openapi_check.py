"""Replies checked against src/http/openapi.json (standard library only).

    from openapi_check import OpenApi
    api = OpenApi(path_to_openapi_json)
    problems = api.check_reply(method, path, status, content_type, body)  # [] when it conforms

The web front end's types are generated from the document (web/README.md), so a reply that the
document does not describe would be a type the front end believes and the server breaks. A JSON
reply of a documented route and status must match its schema; a problem+json reply must match
`Problem` whatever the route. The schemas are read strictly: an object that lists its
properties may carry no other (unless it says `additionalProperties`), so a field the server
adds without documenting it fails here too.

The subset of JSON Schema the document uses: $ref, type (one or a list), enum, properties,
required, additionalProperties, items, minItems, maxItems, pattern, format date, allOf, anyOf.
"""
import json
import re

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def unique(messages):
    return list(dict.fromkeys(messages))


class OpenApi:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        # Literal segments before templated ones: /organisations/{id} must not take a longer path.
        self.routes = []
        for template, methods in self.doc["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.routes.append((re.compile(pattern), template, methods))
        self.seen = set()  # (METHOD, template) whose documented 2xx JSON reply was checked

    def resolve(self, schema):
        while "$ref" in schema:
            target = self.doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target[part]
            schema = dict(target, **{k: v for k, v in schema.items() if k != "$ref"})
        return schema

    def operation(self, method, path):
        """(template, operation) of a concrete path, or (None, None)."""
        path = path.split("?", 1)[0]
        for pattern, template, methods in self.routes:
            if pattern.match(path):
                return template, methods.get(method.lower())
        return None, None

    def check_reply(self, method, path, status, content_type, body):
        """What is wrong with a parsed JSON reply, as a list of messages (empty: it conforms)."""
        media = content_type.split(";", 1)[0].strip()
        if media == "application/problem+json":
            return unique(self.check(body, {"$ref": "#/components/schemas/Problem"}, "problem"))
        template, op = self.operation(method, path)
        if op is None:
            return []
        response = op["responses"].get(str(status))
        if response is None:
            return [f"{method} {path}: status {status} is not documented"] if status < 400 else []
        response = self.resolve(response)
        content = response.get("content", {})
        if media not in content:
            return [f"{method} {path} {status}: {media} is not documented ({', '.join(content)})"]
        schema = content[media].get("schema")
        if status < 300:
            self.seen.add((method.upper(), template))
        return unique(self.check(body, schema, "reply")) if schema else []

    def check(self, value, schema, where, allowed=None):
        """`allowed`: the property names of the whole, when `schema` is a branch of an allOf."""
        schema = self.resolve(schema)
        problems = []
        if "allOf" in schema:
            whole = self.properties(schema) if allowed is None else allowed
            for branch in schema["allOf"]:
                problems += self.check(value, branch, where, whole)
        if "anyOf" in schema:
            if all(self.check(value, branch, where) for branch in schema["anyOf"]):
                tried = [self.check(value, branch, where) for branch in schema["anyOf"]]
                problems.append(f"{where}: matches none of anyOf: {tried}")
        kinds = schema.get("type")
        if kinds is not None:
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not any(TYPES[kind](value) for kind in kinds):
                return problems + [f"{where}: {json.dumps(value)[:80]} is not {'/'.join(kinds)}"]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, str):
            if schema.get("format") == "date" and not DATE.match(value):
                problems.append(f"{where}: {value!r} is not a date")
            if "pattern" in schema and not re.search(schema["pattern"], value):
                problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
                problems.append(f"{where}: {len(value)} items")
            if "items" in schema:
                for i, item in enumerate(value[:200]):  # long lists: the first 200 tell
                    problems += self.check(item, schema["items"], f"{where}[{i}]")
        if isinstance(value, dict):
            permitted = self.properties(schema) if allowed is None else allowed
            for name in schema.get("required", []):
                if name not in value:
                    problems.append(f"{where}: no {name!r}")
            extra = schema.get("additionalProperties")
            for name, item in value.items():
                if name in schema.get("properties", {}):
                    problems += self.check(item, schema["properties"][name], f"{where}.{name}")
                elif isinstance(extra, dict):
                    problems += self.check(item, extra, f"{where}.{name}")
                elif permitted is not None and name not in permitted and extra is not True:
                    problems.append(f"{where}: {name!r} is not documented")
        return problems

    def properties(self, schema):
        """The property names an object may carry, its allOf branches' included; None: any."""
        schema = self.resolve(schema)
        if "properties" not in schema and "allOf" not in schema:
            return None
        names = set(schema.get("properties", {}))
        for branch in schema.get("allOf", []):
            more = self.properties(branch)
            if more is None:
                return None
            names |= more
        return names
