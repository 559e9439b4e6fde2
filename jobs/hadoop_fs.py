"""Driver-side file operations through Hadoop's FileSystem API, for any path URI the session can
read: a local path, file://, hdfs://, s3a://...

Each call resolves the path's FileSystem from the session's Hadoop configuration, so credentials,
endpoints and file-system implementations set for Spark's own reads apply here too. Only file
names, sizes and small text bodies cross py4j to the driver; nothing here reads data files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession


@dataclass(frozen=True)
class FileStatus:
    """One file as Hadoop lists it."""

    uri: str  # the qualified path as Hadoop prints it, e.g. file:/data/works/part_000.gz
    path: str  # the path part of the URI (no scheme, no authority), e.g. /data/works/part_000.gz
    relative: str  # the path under the listed folder, e.g. updated_date=2023-05-17/part_000.gz
    size: int  # bytes
    modified: int  # modification time, milliseconds since the epoch
    compressed: bool = False  # a Hadoop codec (gzip, bzip2...) decompresses it; only when asked for


class CannotCreate(OSError):
    """The file system refused to create a file (it exists and overwrite is off, permissions...).

    The message is the file system's own (through py4j): callers quote its first line."""


def _jvm(spark: SparkSession):
    return spark.sparkContext._jvm


def _hadoop_conf(spark: SparkSession):
    return spark.sparkContext._jsc.hadoopConfiguration()


def _path(spark: SparkSession, uri: str):
    return _jvm(spark).org.apache.hadoop.fs.Path(uri)


def _resolve(spark: SparkSession, uri: str):
    """(FileSystem, Path) of uri. Hadoop caches FileSystem instances per scheme and authority,
    so resolving again per call opens no new connection."""
    path = _path(spark, uri)
    return path.getFileSystem(_hadoop_conf(spark)), path


def exists(spark: SparkSession, uri: str) -> bool:
    fs, path = _resolve(spark, uri)
    return bool(fs.exists(path))


def list_files(
    spark: SparkSession, uri: str, *, recursive: bool = True, detect_compression: bool = False
) -> list[FileStatus] | None:
    """Every file under uri (recursively by default; folders themselves are not listed), or None
    when uri does not exist.

    A recursive listing is FileSystem.listFiles: one flat prefix listing on S3A rather than a
    request per folder. detect_compression asks Hadoop's CompressionCodecFactory, which knows
    the codecs configured for the session, whether each file is read through a codec.
    """
    fs, root = _resolve(spark, uri)
    if not fs.exists(root):
        return None
    codecs = None
    if detect_compression:
        codecs = _jvm(spark).org.apache.hadoop.io.compress.CompressionCodecFactory(_hadoop_conf(spark))
    root_path = fs.makeQualified(root).toUri().getPath().rstrip("/")
    found = []
    if recursive:
        iterator = fs.listFiles(root, True)
        statuses = []
        while iterator.hasNext():
            statuses.append(iterator.next())
    else:
        statuses = [s for s in fs.listStatus(root) if s.isFile()]
    for status in statuses:
        file_path = status.getPath()
        path = file_path.toUri().getPath()
        found.append(
            FileStatus(
                uri=file_path.toString(),
                path=path,
                relative=path[len(root_path) :].strip("/"),
                size=status.getLen(),
                modified=status.getModificationTime(),
                compressed=codecs is not None and codecs.getCodec(file_path) is not None,
            )
        )
    return found


def list_dirs(spark: SparkSession, uri: str) -> list[str] | None:
    """Names of the folders directly under uri (sorted), or None when uri does not exist."""
    fs, root = _resolve(spark, uri)
    if not fs.exists(root):
        return None
    return sorted(status.getPath().getName() for status in fs.listStatus(root) if status.isDirectory())


def rename(spark: SparkSession, source: str, target: str) -> bool:
    """Move source to target on the same file system; False when the file system refuses."""
    fs, source_path = _resolve(spark, source)
    return bool(fs.rename(source_path, _path(spark, target)))


def delete(spark: SparkSession, uri: str, *, recursive: bool = False) -> bool:
    """Remove uri (a folder only with recursive); False when there was nothing to remove."""
    fs, path = _resolve(spark, uri)
    return bool(fs.delete(path, recursive))


def mkdirs(spark: SparkSession, uri: str) -> bool:
    """Create uri and its missing parents (no error when it exists)."""
    fs, path = _resolve(spark, uri)
    return bool(fs.mkdirs(path))


def read_text(spark: SparkSession, uri: str, encoding: str = "utf-8") -> str:
    """The whole content of a small file (it travels to the driver in one piece)."""
    fs, path = _resolve(spark, uri)
    stream = fs.open(path)
    try:
        buffer = _jvm(spark).java.io.ByteArrayOutputStream()
        _jvm(spark).org.apache.hadoop.io.IOUtils.copyBytes(stream, buffer, 65536, False)
        return bytes(buffer.toByteArray()).decode(encoding)
    finally:
        stream.close()


def write_text(spark: SparkSession, uri: str, text: str, *, overwrite: bool = True, encoding: str = "utf-8") -> None:
    """Write a small file in one stream.

    With overwrite=False the create is atomic where the file system's create is (HDFS; a local
    file system checks, then creates): a file already there raises CannotCreate and is kept.
    """
    fs, path = _resolve(spark, uri)
    try:
        stream = fs.create(path, overwrite)
    except Exception as err:  # py4j's Py4JJavaError (FileAlreadyExistsException, AccessControlException...)
        raise CannotCreate(str(err)) from err
    try:
        stream.write(bytearray(text.encode(encoding)))
    finally:
        stream.close()


def upload_tree(spark: SparkSession, local_root: Path, target: str) -> None:
    """Copy every file under the local folder local_root to the same relative path under target,
    replacing files already there (FileSystem.copyFromLocalFile, one call per file)."""
    fs, _ = _resolve(spark, target)
    for file in sorted(p for p in local_root.rglob("*") if p.is_file()):
        destination = f"{target.rstrip('/')}/{file.relative_to(local_root).as_posix()}"
        fs.copyFromLocalFile(False, True, _path(spark, str(file)), _path(spark, destination))
