"""`python -m mnist train | export`: the target workbook is checked before anything is trained
or written; a malformed log or a hostile workbook is one line, exit 2, nothing written."""
from __future__ import annotations

import json
import zipfile

import pytest
from test_mnist_export import base_workbook, fake_log

from mnist import cli, train


def one_line(capsys, *argv) -> str:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def _damaged(path):
    path.write_bytes(b"PK\x03\x04 not a whole zip")
    return path


@pytest.mark.parametrize(("target", "message"), [
    (lambda p: p.mkdir() or p, "is a folder"),
    (_damaged, "not a readable xlsx"),
])
def test_train_refuses_a_bad_workbook_before_training(tmp_path, capsys, monkeypatch, target,
                                                       message):
    def trained(cfg):
        raise AssertionError("trained before checking the workbook")

    monkeypatch.setattr(train, "run", trained)
    book = target(tmp_path / "book.xlsx")
    before = sorted(p.name for p in tmp_path.iterdir())
    err = one_line(capsys, "train", "--workbook", str(book), "--out", str(tmp_path / "log.json"))
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


MALFORMED = {
    "epochs not a list": {"epochs": "many"},
    "an epoch without columns": {"epochs": [{"epoch": 1}]},
    "parameters as text": {"parameters": "many"},
    "confusion not a matrix": {"confusion": [1, 2, 3]},
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_log_is_one_line(tmp_path, capsys, name):
    log = tmp_path / "log.json"
    log.write_text(json.dumps(fake_log() | MALFORMED[name]))
    book = base_workbook(tmp_path / "book.xlsx")
    before = book.read_bytes()
    err = one_line(capsys, "export", str(log), "--workbook", str(book))
    assert "log" in err and book.read_bytes() == before


def _rewrite(path, edit) -> None:
    with zipfile.ZipFile(path) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in edit(parts):
            z.writestr(name, data)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda parts: [(n, d.replace(b"schemas.openxmlformats.org/spreadsheetml/2006/main",
                                  b"purl.oclc.org/ooxml/spreadsheetml/main")) for n, d in parts],
     "Strict Open XML"),
    (lambda parts: [(n.upper() if n == "xl/workbook.xml" else n, d) for n, d in parts]
     + [("xl/workbook.xml", dict(parts)["xl/workbook.xml"])], "an ambiguous package"),
])
def test_export_refuses_a_strict_or_ambiguous_workbook(tmp_path, capsys, edit, message):
    book = base_workbook(tmp_path / "book.xlsx")
    _rewrite(book, edit)
    before = book.read_bytes()
    log = tmp_path / "log.json"
    log.write_text(json.dumps(fake_log()))
    assert message in one_line(capsys, "export", str(log), "--workbook", str(book))
    assert book.read_bytes() == before
