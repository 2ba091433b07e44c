"""Open311 responses in both formats: JSON arrays and the spec's XML documents."""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

# The element name of one item of each list, as the GeoReport v2 XML examples write them.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    """`value` as JSON, or as XML under the element `root` (e.g. "services")."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, value), status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(value, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error body: a list of {code, description}."""
    return respond(fmt, "errors", [{"code": status, "description": str(description)}], status=status)
