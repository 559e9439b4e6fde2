"""OpenAlex's manifests: which files a snapshot delivery holds, with their sizes and record counts.

The current snapshot layout (`data/jsonl/`, since 2026) has in each entity folder a
`manifest.json`, and at its root a combined `manifest.json` with every entity's:

    works/manifest.json: {"date": "2026-06-25", "format": "jsonl", "entity": "works",
        "record_count": ..., "content_length": ...,
        "files": [{"url": "s3://openalex/data/jsonl/works/updated_date=2026-06-24/part_0000.gz",
                   "meta": {"content_length": 936733, "record_count": 499}}, ...]}
    manifest.json: {"date": ..., "format": "jsonl", "meta": {"record_count": ..., "content_length": ...},
        "entities": [{"entity": "works", "record_count": ..., "content_length": ..., "files": [...]}, ...]}

OpenAlex writes the manifests last, once every data file is uploaded, so a manifest present
means its files are complete. An entity folder's own manifest.json is used when there is one,
else the entity's entry of the combined manifest.

The legacy snapshot layout (`data/<entity>/`, kept under `legacy-data/` since 2026) has, in each
entity folder, a file named `manifest` in Redshift manifest format:

    {"entries": [{"url": "s3://openalex/data/works/updated_date=2023-05-17/part_000.gz",
                  "meta": {"content_length": 1234, "record_count": 56}}, ...],
     "meta": {"content_length": ..., "record_count": ...}}

OpenAlex removes it while it writes a partition and writes it back afterwards, so when it is there
it names every data file of the entity.

Whichever the layout, the ingest reads exactly those files (never the
manifest itself as records) and stops with an IngestError (exit 1) when a listed file is missing,
has another size than `content_length`, or holds another number of records (non-blank lines) than
`record_count`: a partial download would otherwise shift every indicator without anyone noticing.
A file the manifest does not list (a leftover of an earlier sync, whose records have since moved to
a newer partition) is not read, and a warning names it. Only the manifest (a few KB per thousand
files) and one count per file reach the driver.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import unquote

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import hadoop_fs
from jobs.ingest import files as files_module
from jobs.ingest.common import SOURCE_FILE, IngestError
from jobs.ingest.files import MANIFEST, MANIFEST_JSON, InputFile

log = logging.getLogger(__name__)

SHOWN = 5  # file names quoted in an error; the rest are counted


@dataclass(frozen=True)
class ManifestEntry:
    relative: str  # path under the entity folder, e.g. updated_date=2023-05-17/part_000.gz
    size: int | None  # meta.content_length
    records: int | None  # meta.record_count


@dataclass(frozen=True)
class Manifest:
    path: str
    entries: tuple[ManifestEntry, ...]

    @property
    def records(self) -> int | None:
        counts = [e.records for e in self.entries]
        return None if any(c is None for c in counts) else sum(counts)


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _count(meta: dict, key: str, where: str) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise IngestError(f"{where}: meta.{key} must be a non-negative integer, got {value!r}")
    return value


def parse_manifest(text: str, path: str, entity: str) -> Manifest:
    """The file entries of a per-entity manifest's JSON text: the current layout's `files` list or
    the legacy `entries` list; `entity` is the folder name its urls run through."""
    data = _json(text, path)
    listed = data.get("files", data.get("entries"))
    if not isinstance(listed, list):
        raise IngestError(f"{path} is not an OpenAlex manifest (no 'files' or 'entries' list)")
    named = data.get("entity")
    if named is not None and named != entity:
        raise IngestError(f"{path} is the manifest of {named!r}, not of {entity}/")
    return Manifest(path, _entries(listed, path, entity))


def parse_combined(text: str, path: str, entity: str) -> Manifest | None:
    """The entity's file entries in a combined manifest (the current layout's root
    manifest.json: an `entities` list), or None when it does not list the entity."""
    data = _json(text, path)
    listed = data.get("entities")
    if not isinstance(listed, list):
        raise IngestError(f"{path} is not an OpenAlex combined manifest (no 'entities' list)")
    mine = [e for e in listed if isinstance(e, dict) and e.get("entity") == entity]
    if not mine:
        return None
    if len(mine) > 1:
        raise IngestError(f"{path} lists the entity {entity} {len(mine)} times")
    files = mine[0].get("files")
    if not isinstance(files, list):
        raise IngestError(f"{path}: the entity {entity} has no 'files' list")
    return Manifest(path, _entries(files, f"{path} ({entity})", entity))


def _json(text: str, path: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise IngestError(f"{path} is not an OpenAlex manifest (not JSON: {err})") from err
    if not isinstance(data, dict):
        raise IngestError(f"{path} is not an OpenAlex manifest (not a JSON object)")
    return data


def _entries(listed: list, path: str, entity: str) -> tuple[ManifestEntry, ...]:
    entries, seen = [], set()
    marker = f"/{entity}/"
    for i, entry in enumerate(listed):
        where = f"{path} entry {i}"
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str) or marker not in url:
            raise IngestError(f"{where}: url {url!r} does not name a file under {entity}/")
        relative = unquote(url[url.rindex(marker) + len(marker) :])
        if relative in seen:
            raise IngestError(f"{where}: {relative} is listed twice")
        seen.add(relative)
        meta = entry.get("meta") or {}
        if not isinstance(meta, dict):
            raise IngestError(f"{where}: meta must be an object")
        entries.append(ManifestEntry(relative, _count(meta, "content_length", where), _count(meta, "record_count", where)))
    return tuple(entries)


def read_manifest(spark: SparkSession, files: list[InputFile], entity_dir: str) -> Manifest | None:
    """The manifest of an entity folder, or None when it has none: its own manifest.json (current
    layout) or manifest (legacy), else its entry in the combined manifest.json of the folder
    above (the snapshot's data/jsonl/)."""
    entity = entity_dir.rstrip("/").rsplit("/", 1)[-1]
    for name in (MANIFEST_JSON, MANIFEST):
        found = [f for f in files if f.relative == name]
        if found:
            return parse_manifest(hadoop_fs.read_text(spark, found[0].path), found[0].path, entity)
    combined = f"{entity_dir.rstrip('/').rsplit('/', 1)[0]}/{MANIFEST_JSON}"
    if hadoop_fs.exists(spark, combined):
        return parse_combined(hadoop_fs.read_text(spark, combined), combined, entity)
    return None


def listed_files(files: list[InputFile], manifest: Manifest, entity_dir: str) -> list[str]:
    """The paths to read: every file the manifest lists, each present (in `files`, the listing of
    the entity folder) with its listed size."""
    on_disk = {f.relative: f for f in files if files_module.is_records(f.relative)}
    missing = [e.relative for e in manifest.entries if e.relative not in on_disk]
    resized = [
        f"{e.relative} ({on_disk[e.relative].size} bytes, listed {e.size})"
        for e in manifest.entries
        if e.relative in on_disk and e.size is not None and on_disk[e.relative].size != e.size
    ]
    problems = []
    if missing:
        problems.append(f"{len(missing)} listed files are missing: {_some(missing)}")
    if resized:
        problems.append(f"{len(resized)} files differ in size from the listing: {_some(resized)}")
    if problems:
        raise IngestError(
            f"{entity_dir} does not match its manifest ({'; '.join(problems)}): incomplete download? sync it again and rerun"
        )
    listed = {e.relative for e in manifest.entries}
    unlisted = sorted(set(on_disk) - listed)
    if unlisted:
        log.warning(
            "%s: %d files not in its manifest are not read (leftovers of an earlier sync?): %s",
            entity_dir,
            len(unlisted),
            _some(unlisted),
        )
    log.info(
        "%s: %d files as listed in its manifest%s",
        entity_dir,
        len(manifest.entries),
        f", {manifest.records} records" if manifest.records is not None else "",
    )
    return [on_disk[e.relative].path for e in manifest.entries]


def check_record_counts(manifest: Manifest, records_df: DataFrame, files: list[str], entity_dir: str) -> None:
    """Records read per file (records_df has one row per record, with SOURCE_FILE) against the
    manifest's record_count; `files` are listed_files' paths, in the manifest's order. One small
    aggregation: a row per file reaches the driver."""
    expected = {unquote(path): entry for path, entry in zip(files, manifest.entries) if entry.records is not None}
    if not expected:
        return
    per_file = records_df.groupBy(SOURCE_FILE).agg(F.count(F.lit(1)).alias("n"))
    read = {unquote(r[SOURCE_FILE]): r["n"] for r in per_file.collect()}  # one row per input file
    wrong = [
        f"{entry.relative} ({read.get(path, 0)} records, listed {entry.records})"
        for path, entry in expected.items()
        if read.get(path, 0) != entry.records
    ]
    if wrong:
        raise IngestError(
            f"{entity_dir} does not match its manifest ({len(wrong)} files hold another number of records: {_some(wrong)})"
        )
