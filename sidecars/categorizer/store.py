"""The categorizer's versioned model store under data.paths.model_dir("categorizer").

Each version is a folder `v000001/` holding `weights.npz` (numpy arrays, loaded with
allow_pickle=False), `meta.json` (classes, vocabulary, training facts) and, for warming the
sidecar's caches at start-up only, `texts.json` and `keys.json`. `CURRENT` names the
version in use. Versions are written to a temporary folder and renamed into place, so a crash never
leaves half a model; the last KEEP versions are kept. This module never unpickles anything and never
loads a file from outside its own folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from data.paths import model_dir
from sidecars.categorizer.features import CountVocabulary, RowKey, Vocabulary
from sidecars.categorizer.model import WORDS_FEATURES, Model

KEEP = 5
_VERSION_RE = re.compile(r"^v\d{6}$")


class StoreError(Exception):
    """A model version that does not exist or cannot be read; str() is one clear sentence."""


class ModelStore:
    """Save, list, load and roll back model versions in one folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else model_dir("categorizer")

    def versions(self) -> list[dict[str, Any]]:
        """Every kept version's metadata, oldest first, with `current` marked."""
        current = self.current()
        out = []
        for name in self._names():
            try:
                meta = self._meta(name)
            except StoreError:
                continue
            out.append(
                {
                    "model_version": name,
                    "created": meta.get("created"),
                    "n_samples": meta.get("n_samples"),
                    "classes": len(meta.get("classes", [])),
                    "cv_accuracy": meta.get("cv_accuracy"),
                    "source": meta.get("source", "user"),
                    "current": name == current,
                }
            )
        return out

    def current(self) -> str | None:
        """The version in use, or None for an empty store."""
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if _VERSION_RE.match(name) and (self.root / name).is_dir() else None

    def save(self, model: Model, *, source: str = "user") -> str:
        """Write `model` as a new version, make it current, prune old ones; returns the version."""
        self.root.mkdir(parents=True, exist_ok=True)
        names = self._names()
        number = int(names[-1][1:]) + 1 if names else 1
        name = f"v{number:06d}"
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            np.savez(
                tmp / "weights.npz",
                coef_t=model.coef_t,
                intercept=model.intercept,
                idf=model.vocabulary.idf,
            )
            meta = dict(model.meta)
            meta.update(
                model_version=name,
                source=source,
                created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                classes=model.classes,
                vocabulary=model.vocabulary.names,
            )
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            (tmp / "texts.json").write_text(json.dumps(model.texts), encoding="utf-8")
            (tmp / "keys.json").write_text(json.dumps(model.keys), encoding="utf-8")
            os.replace(tmp, self.root / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._set_current(name)
        self._prune(keep_also=name)
        model.meta.update(model_version=name, source=source)
        return name

    def load(self, name: str | None = None) -> Model:
        """The model `name` (default: current)."""
        name = name or self.current()
        if name is None:
            raise StoreError("no categorizer model has been trained yet")
        if not _VERSION_RE.match(name) or not (self.root / name).is_dir():
            raise StoreError(f"no model version {name!r}")
        meta = self._meta(name)
        try:
            with np.load(self.root / name / "weights.npz", allow_pickle=False) as arrays:
                coef_t = np.ascontiguousarray(arrays["coef_t"], dtype=np.float64)
                intercept = np.asarray(arrays["intercept"], dtype=np.float64)
                idf = np.asarray(arrays["idf"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise StoreError(f"model version {name} is damaged: {exc}") from exc
        classes = [str(c) for c in meta["classes"]]
        names = [str(n) for n in meta["vocabulary"]]
        if coef_t.shape != (len(names), len(classes)) or len(idf) != len(names):
            raise StoreError(f"model version {name} is damaged: shapes do not match")
        meta.pop("vocabulary")
        # Versions saved before the word model existed have no "features": ours.
        kind = CountVocabulary if meta.get("features") == WORDS_FEATURES else Vocabulary
        model = Model(classes, kind(names, idf), coef_t, intercept, meta)
        model.texts = self._texts(name)
        model.keys = self._keys(name)
        return model

    def _warm_list(self, name: str, file: str) -> list[Any]:
        """A version's list of what it was trained on (texts.json, keys.json), for warming;
        none if absent or unreadable (they only make the first prediction faster, so a missing
        file, or a version saved before it was kept, must not lose the model)."""
        try:
            items = json.loads((self.root / name / file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return items if isinstance(items, list) else []

    def _texts(self, name: str) -> list[str]:
        """The texts a version was trained on."""
        return [t for t in self._warm_list(name, "texts.json") if isinstance(t, str)]

    def _keys(self, name: str) -> list[RowKey]:
        """The row keys a version was trained on."""
        return [
            (k[0], tuple(k[1]))
            for k in self._warm_list(name, "keys.json")
            if isinstance(k, list)
            and len(k) == 2
            and isinstance(k[0], str)
            and isinstance(k[1], list)
            and all(isinstance(f, str) for f in k[1])
        ]

    def rollback(self, name: str) -> Model:
        """Make an older (kept) version current again and return it."""
        model = self.load(name)
        self._set_current(name)
        return model

    def _names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if _VERSION_RE.match(p.name))

    def _meta(self, name: str) -> dict[str, Any]:
        try:
            meta = json.loads((self.root / name / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"model version {name} is damaged: {exc}") from exc
        if not isinstance(meta, dict) or "classes" not in meta or "vocabulary" not in meta:
            raise StoreError(f"model version {name} is damaged: incomplete metadata")
        return meta

    def _set_current(self, name: str) -> None:
        tmp = self.root / ".CURRENT.tmp"
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, self.root / "CURRENT")

    def _prune(self, keep_also: str) -> None:
        names = self._names()
        current = self.current()
        for old in names[:-KEEP]:
            if old not in (keep_also, current):
                shutil.rmtree(self.root / old, ignore_errors=True)
