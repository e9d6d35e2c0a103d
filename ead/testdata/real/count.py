#!/usr/bin/env python3
"""Count what the finding aids in this folder hold, for the table in README.md.

Usage: python3 count.py [FILE.xml ...]   (default: every *.xml beside this script)

Elements are matched by local name, so EAD 2002 with or without its namespace and
EAD3 in either namespace are counted alike. Prints a Markdown table.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")
ACCESS = ("persname", "corpname", "famname", "subject", "geogname", "genreform",
          "function", "occupation", "title", "name")
DIGITAL = ("dao", "daoloc", "daogrp", "daoset")
# Children of archdesc or a component that are structure, not description.
NOT_NOTES = ("did", "dsc", "head", "thead", "runner")


def local(tag):
    """Returns the local name of an element tag, without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def count(path):
    """Returns the counts for one file as a dict."""
    root = ET.parse(path).getroot()
    parent = {child: node for node in root.iter() for child in node}
    n = dict(components=0, dates=0, normalized=0, containers=0, access=0,
             origination=0, digital=0, notes=0, internal=0)
    kinds = {}
    for e in root.iter():
        name = local(e.tag)
        if e.get("audience") == "internal":
            n["internal"] += 1
        if COMPONENT.match(name) and e.find("./{*}did") is not None or name == "archdesc":
            if name != "archdesc":
                n["components"] += 1
            for child in e:
                cn = local(child.tag)
                if cn and cn not in NOT_NOTES and not COMPONENT.match(cn):
                    n["notes"] += 1
        if name == "unitdate":
            n["dates"] += 1
            if e.get("normal"):
                n["normalized"] += 1
        elif name == "unitdatestructured":
            n["dates"] += 1
            if any(d.get("standarddate") or d.get("notbefore") or d.get("notafter")
                   for d in e.iter()):
                n["normalized"] += 1
        elif name == "container":
            n["containers"] += 1
        elif name == "origination":
            n["origination"] += 1
        elif name in DIGITAL:
            n["digital"] += 1
        if name in ACCESS and local(parent.get(e, root).tag) == "controlaccess":
            n["access"] += 1
            kinds[name] = kinds.get(name, 0) + 1
    n["kinds"] = ", ".join("%s %d" % (k, kinds[k]) for k in sorted(kinds)) or "-"
    return n


def main(paths):
    if not paths:
        here = os.path.dirname(os.path.abspath(__file__))
        paths = sorted(glob.glob(os.path.join(here, "*.xml")))
    cols = ["components", "dates", "normalized", "containers", "access", "kinds",
            "origination", "digital", "notes", "internal"]
    print("| file | " + " | ".join(cols) + " |")
    print("|" + "---|" * (len(cols) + 1))
    for p in paths:
        n = count(p)
        print("| %s | %s |" % (os.path.basename(p), " | ".join(str(n[c]) for c in cols)))


if __name__ == "__main__":
    main(sys.argv[1:])
