"""An installed wheel finds every template: workbook_templates/, addin/ and macros/.

The folders live at the top of the repository and ship inside the package under other
names (``pyproject.toml``'s package-dir).  An editable install reads them from the
repository, so only a real wheel, installed elsewhere and imported in a process that
cannot see the repository, shows that they ship.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import site
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Installed package -> the folder of the repository it is made from.
SHIPPED = {"xlsales.workbook_templates": "workbook_templates", "xlsales._addin_files": "addin",
           "xlsales._macros": "macros"}
# What a copy of the repository to build from leaves out: environments, caches, build output.
_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*cache",
                                 ".hypothesis", "out")

# Run with -I -S (no site-packages, no .pth files, so no editable install): the wheel's
# folder comes first on sys.path, the dependencies' folders after it.
_PROBE = r"""
import hashlib, json, sys
from importlib import resources
target, *deps = sys.argv[1:]
sys.path[:0] = [target]
sys.path += deps
import xlsales
from xlsales.texts import label, message_text
from xlsales.excel.ribbon_spec import buttons, render_customui
from xlsales.excel.xlam import macro_sources
files = {}
for package in %r:
    files[package] = {e.name: hashlib.sha256(e.read_bytes()).hexdigest()
                      for e in resources.files(package).iterdir() if e.is_file()}
print(json.dumps({
    "file": xlsales.__file__,
    "files": files,
    "label": label("activity", "visit", "ja"),
    "message": message_text("n_problems", "en", n=3),
    "buttons": [b["id"] for b in buttons("en")],
    "customui": sorted(render_customui("ja")),
    "macros": sorted(macro_sources()),
}))
""" % (list(SHIPPED),)


def _can_build_without_isolation() -> bool:
    # setuptools builds wheels itself from 70.1 on; before, it needs the wheel package.  Asked
    # of the metadata: importing setuptools here would replace the distutils pytest has seen.
    try:
        setuptools = tuple(int(p) for p in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return setuptools >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _run(command: list[str], **kwargs) -> str:
    # Its output on failure: a missing template shows as the traceback that names it.
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_an_installed_wheel_finds_every_template(tmp_path):
    pytest.importorskip("pip")
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside the sources
    shutil.copytree(ROOT, source, ignore=_IGNORE)
    isolation = ["--no-build-isolation"] if _can_build_without_isolation() else []
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", "--no-deps", *isolation, "-w", str(tmp_path / "wheel"), str(source)])
    (wheel,) = (tmp_path / "wheel").glob("xlsales-*.whl")
    target = tmp_path / "target"
    _run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)])

    deps = [*site.getsitepackages(), site.getusersitepackages()]
    got = json.loads(_run([sys.executable, "-I", "-S", "-c", _PROBE, str(target), *deps], cwd=tmp_path))

    assert Path(got["file"]).is_relative_to(target), got["file"]  # the wheel's xlsales, not the repository's
    for package, folder in SHIPPED.items():
        in_repo = _digests(ROOT / folder)
        assert {"__init__.py"} < in_repo.keys()
        assert got["files"][package] == in_repo, package
    assert got["label"] == "訪問"
    assert got["message"] == "3 problem(s) in the input. Nothing was written."
    assert got["buttons"] == ["xsValidate", "xsRefresh", "xsCheckin", "xsPlan", "xsMonthly", "xsMail", "xsCollect",
                              "xsEvaluate"]
    assert got["customui"] == ["customUI/customUI.xml", "customUI/customUI14.xml"]
    assert got["macros"] == sorted(p.stem for p in (ROOT / "macros").glob("*.bas"))
