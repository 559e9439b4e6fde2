"""jobs/hadoop_fs.py on file:// URIs: the same FileSystem calls serve hdfs:// and s3a:// paths."""

from __future__ import annotations

import pytest

from jobs import hadoop_fs


def test_write_read_list_rename_delete(spark, tmp_path):
    root = f"file://{tmp_path}/fs"
    assert not hadoop_fs.exists(spark, root)
    assert hadoop_fs.list_files(spark, root) is None  # absent, not empty
    assert hadoop_fs.mkdirs(spark, f"{root}/sub")
    assert hadoop_fs.list_files(spark, root) == []  # folders are not files

    hadoop_fs.write_text(spark, f"{root}/sub/a.json.gz", "not really gzip")
    hadoop_fs.write_text(spark, f"{root}/b.txt", "héllo\n")
    assert hadoop_fs.read_text(spark, f"{root}/b.txt") == "héllo\n"
    with pytest.raises(hadoop_fs.CannotCreate):
        hadoop_fs.write_text(spark, f"{root}/b.txt", "again", overwrite=False)
    assert hadoop_fs.read_text(spark, f"{root}/b.txt") == "héllo\n"  # kept

    listed = {f.relative: f for f in hadoop_fs.list_files(spark, root, detect_compression=True)}
    assert set(listed) == {"sub/a.json.gz", "b.txt"}
    assert listed["b.txt"].size == len("héllo\n".encode())
    assert listed["b.txt"].path == f"{tmp_path}/fs/b.txt" and listed["b.txt"].uri.startswith("file:")
    assert listed["sub/a.json.gz"].compressed and not listed["b.txt"].compressed
    assert [f.relative for f in hadoop_fs.list_files(spark, root, recursive=False)] == ["b.txt"]

    assert hadoop_fs.rename(spark, f"{root}/b.txt", f"{root}/c.txt")
    assert not hadoop_fs.exists(spark, f"{root}/b.txt") and hadoop_fs.exists(spark, f"{root}/c.txt")
    assert hadoop_fs.delete(spark, f"{root}/c.txt")
    assert not hadoop_fs.delete(spark, f"{root}/c.txt")  # nothing left to remove
    assert hadoop_fs.delete(spark, root, recursive=True)
    assert not hadoop_fs.exists(spark, root)


def test_upload_tree_replaces_files(spark, tmp_path):
    local = tmp_path / "local"
    (local / "stage").mkdir(parents=True)
    (local / "stage" / "summary.json").write_text("{}")
    (local / "top.json").write_text("[]")
    target = f"file://{tmp_path}/remote"
    hadoop_fs.upload_tree(spark, local, target)
    (local / "top.json").write_text("[1]")  # a later stage extends a file already uploaded
    hadoop_fs.upload_tree(spark, local, target)
    assert sorted(f.relative for f in hadoop_fs.list_files(spark, target)) == ["stage/summary.json", "top.json"]
    assert hadoop_fs.read_text(spark, f"{target}/top.json") == "[1]"
    assert (tmp_path / "remote" / "stage" / "summary.json").read_text() == "{}"
