#!/usr/bin/env python3
"""pgxn_meta.py [DIR]: check DIR/META.json (default: the checkout) against
the PGXN Meta Spec 1.0.0 (https://pgxn.org/meta/spec.txt: required keys,
SemVer versions, license names, terms, prereq phases and version ranges,
provides, no unknown keys but x_ ones), and against the release's other
files: the files it names exist, its version is the Makefile's DISTVERSION,
debian/changelog's and CHANGELOG.md's, and provides.memcache names the
install script and version of memcache.control's default_version.
Prints one line per problem; exits 1 if there is any."""

import json
import os
import re
import sys

SEMVER = (r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
          r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")
TERM = r"[^/\\\s\x00-\x1f\x7f]{2,}"
TAG = r"[^/\\\x00-\x1f\x7f]{2,255}"
RANGE_ONE = r"((==|!=|<=|>=|<|>)\s*)?(" + SEMVER + r"|0)"
LICENSES = {
    "agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd",
    "freebsd", "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1",
    "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5",
    "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source",
    "restricted", "unrestricted", "unknown",
}
TOP = {"name", "abstract", "version", "maintainer", "license", "provides",
       "meta-spec", "description", "generated_by", "tags", "no_index",
       "prereqs", "release_status", "resources"}
PHASES = {"configure", "build", "test", "runtime", "develop"}
RELATIONS = {"requires", "recommends", "suggests", "conflicts"}

problems = []


def bad(msg):
    problems.append(msg)


def full(pattern, value):
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def known_keys(where, obj, allowed):
    for k in obj:
        if k not in allowed and not re.match(r"[xX]_.", k):
            bad(f"{where}: unknown key {k!r} (custom keys start with x_)")


def check_spec(meta, root):
    if not isinstance(meta, dict):
        return bad("META.json is not an object")
    for k in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
        if k not in meta:
            bad(f"missing required key {k!r}")
    known_keys("META.json", meta, TOP)
    if not full(TERM, meta.get("name")):
        bad(f"name {meta.get('name')!r} is not a term (2+ characters, no slash, space or control)")
    if not full(SEMVER, meta.get("version")):
        bad(f"version {meta.get('version')!r} is not a SemVer")
    for k in ("abstract", "description", "generated_by"):
        if k in meta and not (isinstance(meta[k], str) and meta[k]):
            bad(f"{k} must be a non-empty string")
    m = meta.get("maintainer")
    if not (isinstance(m, str) and m) and not (isinstance(m, list) and m and all(isinstance(x, str) and x for x in m)):
        bad("maintainer must be a string or a list of strings")
    lic = meta.get("license")
    names = [lic] if isinstance(lic, str) else lic if isinstance(lic, list) else None
    if isinstance(lic, dict):
        if not lic or not all(isinstance(v, str) and re.match(r"https?://", v) for v in lic.values()):
            bad("license object must map names to URLs")
    elif not names or any(n not in LICENSES for n in names):
        bad(f"license {lic!r} is not one of the spec's license names")
    spec = meta.get("meta-spec", {})
    if not isinstance(spec, dict) or not full(r"1\.0\.\d+", spec.get("version")):
        bad("meta-spec.version must be 1.0.x")
    elif spec.get("url", "https://pgxn.org/meta/spec.txt") not in ("https://pgxn.org/meta/spec.txt", "http://pgxn.org/meta/spec.txt"):
        bad("meta-spec.url must be the spec's URL")
    else:
        known_keys("meta-spec", spec, {"version", "url"})
    provides = meta.get("provides")
    if not isinstance(provides, dict) or not provides:
        bad("provides must name at least one extension")
        provides = {}
    for ext, p in provides.items():
        if not full(TERM, ext):
            bad(f"provides: {ext!r} is not a term")
        if not isinstance(p, dict):
            bad(f"provides.{ext} must be an object")
            continue
        known_keys(f"provides.{ext}", p, {"file", "version", "abstract", "docfile", "docpath"})
        if not full(SEMVER, p.get("version")):
            bad(f"provides.{ext}.version {p.get('version')!r} is not a SemVer")
        for k in ("file", "docfile"):
            if k in p and not os.path.isfile(os.path.join(root, str(p[k]))):
                bad(f"provides.{ext}.{k} {p[k]!r} is not a file of the distribution")
        if "file" not in p:
            bad(f"provides.{ext}.file is required")
    prereqs = meta.get("prereqs", {})
    if not isinstance(prereqs, dict):
        bad("prereqs must be an object")
        prereqs = {}
    known_keys("prereqs", prereqs, PHASES)
    for phase, rels in prereqs.items():
        if not isinstance(rels, dict) or not rels:
            bad(f"prereqs.{phase} must name at least one relationship")
            continue
        known_keys(f"prereqs.{phase}", rels, RELATIONS)
        for rel, deps in rels.items():
            if not isinstance(deps, dict) or not deps:
                bad(f"prereqs.{phase}.{rel} must map names to version ranges")
                continue
            for dep, rng in deps.items():
                ok = full(TERM, dep) and (isinstance(rng, int) and rng == 0 or isinstance(rng, str) and all(
                    full(RANGE_ONE, part.strip()) for part in rng.split(",")))
                if not ok:
                    bad(f"prereqs.{phase}.{rel}.{dep}: {rng!r} is not a version range")
    tags = meta.get("tags", ["ok"])
    if not isinstance(tags, list) or not tags or len(set(tags)) != len(tags) or not all(full(TAG, t) for t in tags):
        bad("tags must be a list of distinct tags (2-255 characters, no slash, backslash or control)")
    if meta.get("release_status", "stable") not in ("stable", "testing", "unstable"):
        bad("release_status must be stable, testing or unstable")
    no_index = meta.get("no_index", {"file": []})
    if not isinstance(no_index, dict) or not ({"file", "directory"} & set(no_index)):
        bad("no_index must have file or directory")
    else:
        known_keys("no_index", no_index, {"file", "directory"})
    res = meta.get("resources")
    if res is not None:
        if not isinstance(res, dict) or not ({"homepage", "bugtracker", "repository"} & set(res)):
            bad("resources must have homepage, bugtracker or repository")
        else:
            known_keys("resources", res, {"homepage", "bugtracker", "repository"})


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def check_release(meta, root):
    version = meta.get("version")
    mk = read(root, "Makefile")
    dist = re.search(r"^DISTVERSION\s*=\s*(\S+)", mk, re.M)
    ext = re.search(r"^EXTVERSION\s*=\s*(\S+)", mk, re.M)
    default = re.search(r"^default_version\s*=\s*'([^']+)'", read(root, "memcache.control"), re.M)
    if not dist or dist.group(1) != version:
        bad(f"Makefile DISTVERSION {dist and dist.group(1)!r} is not META.json's version {version!r}")
    if not default:
        return bad("memcache.control has no default_version")
    default = default.group(1)
    if not ext or ext.group(1) != default:
        bad(f"Makefile EXTVERSION {ext and ext.group(1)!r} is not memcache.control's default_version {default!r}")
    p = meta.get("provides", {}).get("memcache", {})
    want = default + ".0" * (2 - default.count("."))
    if p.get("version") != want:
        bad(f"provides.memcache.version {p.get('version')!r} is not default_version {default} as SemVer ({want})")
    if p.get("file") != f"sql/memcache--{default}.sql":
        bad(f"provides.memcache.file {p.get('file')!r} is not default_version's script sql/memcache--{default}.sql")
    if meta.get("license") == "postgresql" and not read(root, "LICENSE").startswith("PostgreSQL License"):
        bad("license is postgresql but LICENSE is not the PostgreSQL License")
    deb = re.match(r"\S+ \(([^)-]+)-[^)]*\)", read(root, "debian/changelog"))
    if not deb or deb.group(1) != version:
        bad(f"debian/changelog's upstream version {deb and deb.group(1)!r} is not {version!r}")
    if not re.search(r"^## \[?" + re.escape(version) + r"\b", read(root, "CHANGELOG.md"), re.M):
        bad(f"CHANGELOG.md has no '## {version}' section")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    try:
        meta = json.loads(read(root, "META.json"))
    except (OSError, ValueError) as e:
        print(f"META.json: {e}")
        return 1
    check_spec(meta, root)
    if not problems:
        try:
            check_release(meta, root)
        except OSError as e:
            bad(str(e))
    for p in problems:
        print(f"META.json: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
