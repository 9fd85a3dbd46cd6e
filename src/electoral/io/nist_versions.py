"""What a document offered as NIST SP 1500-100 v2 is when it is not: the reader refuses it naming
what was found (issue 10 item 9), never reads it wrong.

People have results in neighbouring formats: NIST 1500-100 v1 (XML or JSON), Google's Civics CDF
feeds (v1's shape), Voting Information Project feeds and Google Civic Information API responses
(election information without vote counts). ``other_xml`` and ``other_json`` say which one a
document is, for ``io.nist``'s refusal.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

# The roots of Voting Information Project feeds: ``vip_object`` (VIP 3.0) and ``VipObject``
# (VIP 5.x), per the VIP specification (vip-specification.readthedocs.io).
VIP_ROOTS = ("vip_object", "VipObject")
# Google Civic Information API responses say what they are in ``kind`` ("civicinfo#…",
# developers.google.com/civic-information/docs/v2).
CIVIC_API = "civicinfo#"


def other_xml(root: ET.Element, v2_namespace: str) -> str | None:
    """What an XML document whose root is ``root`` is, when it is a VIP feed or an
    ``ElectionReport`` outside ``v2_namespace``; ``None`` for anything else (a v2 report, or a
    document that is no kind of report). Never raises."""
    local = _local(root.tag)
    if local in VIP_ROOTS:
        version = root.get("schemaVersion")
        return ("a Voting Information Project feed "
                f"({'VIP ' + version if version else 'no schemaVersion'}: polling places and "
                "contests, no vote counts)")
    if local == "ElectionReport" and root.tag != f"{{{v2_namespace}}}ElectionReport":
        return _version(root)
    return None


def other_json(document: Any) -> str | None:
    """What a JSON document that is not a v2 report is, when it is one of the known others: a
    Google Civic Information API response (its ``kind``), or NIST 1500-100 v1 in JSON
    (``…Collection`` keys and no ``@type``); ``None`` otherwise. Never raises."""
    if not isinstance(document, dict):
        return None
    kind = document.get("kind")
    if isinstance(kind, str) and kind.startswith(CIVIC_API):
        return (f"a Google Civic Information API response (kind {kind}: election information, "
                "no vote counts)")
    if "@type" not in document and any(str(key).endswith("Collection") for key in document):
        return "NIST 1500-100 v1 in JSON (…Collection keys, no @type)"
    return None


def _version(root: ET.Element) -> str:
    """Which ``ElectionReport`` a root that is not v2's is. Version 1 wraps lists in
    ``…Collection`` elements (``GpUnitCollection``) and names ids ``objectId`` (NIST's "Changes
    From V1 XML Schema"); Google's Civics CDF keeps that shape, without a namespace, and adds
    ``GovernmentBodyCollection`` (civics_cdf_spec.xsd, ../shared/standards/nist-1500-100)."""
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    children = {_local(child.tag) for child in root}
    v1 = any(tag.endswith("Collection") for tag in children) or any(
        "objectId" in element.attrib for element in root.iter())
    if "GovernmentBodyCollection" in children and not namespace:
        return "a Google Civics CDF feed (NIST 1500-100 v1 shape: …Collection elements, objectId)"
    if v1:
        where = f"namespace {namespace}" if namespace else "no namespace"
        return f"NIST 1500-100 v1 (…Collection elements, objectId; {where})"
    return (f"an ElectionReport in namespace {namespace}" if namespace else
            "an ElectionReport without a namespace")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
