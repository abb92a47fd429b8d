"""Reads a JSON-LD document on stdin, expands it with PyLD (a JSON-LD 1.1
processor) and prints the expanded form as JSON, for tests/api/jsonld.rs.

The machine is offline, so https://schema.org's context is served from
here: the part of schema.org's published context (jsonldcontext.json) that
matters to expansion, its vocabulary and its IRI-valued properties. A
document that is not valid JSON-LD makes PyLD raise, and this exit 1."""

import json
import sys

from pyld import jsonld

SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": "http://schema.org/",
        "schema": "http://schema.org/",
        "id": "@id",
        "type": "@type",
        "url": {"@id": "schema:url", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
        "mainEntityOfPage": {"@id": "schema:mainEntityOfPage", "@type": "@id"},
        "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
        "dateModified": {"@id": "schema:dateModified", "@type": "schema:Date"},
    }
}


def offline_loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}
    raise jsonld.JsonLdError("only schema.org is known offline", "loading document failed")


def main():
    document = json.load(sys.stdin)
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    json.dump(expanded, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        print(f"invalid JSON-LD: {error}", file=sys.stderr)
        sys.exit(1)
