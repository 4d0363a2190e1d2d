"""Check, before `make run` opens the window, that Qt's xcb platform plugin can load here.

Pip cannot bring the X11 client libraries that the plugin links against; without them the app
dies at start with "Could not load the Qt platform plugin xcb". This names exactly which Debian
packages to install. Exits 0 when fine (or when offscreen/wayland is chosen, which need none).
Runs `ldd` on the plugin and, as a last check, starts a QGuiApplication in a child process; it
must never install anything itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Shared library (as ldd names it) -> the Debian/Ubuntu package that provides it.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
# What the xcb plugin needs on a fresh Debian machine, even when ldd cannot tell (e.g. dlopen).
BASELINE = (
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libegl1",
    "libfontconfig1",
)


def plugin_dir() -> Path | None:
    """Where PySide6 keeps its platform plugins, found without importing Qt's GUI modules."""
    try:
        import PySide6
    except ImportError:
        return None
    base = Path(PySide6.__file__).parent
    for candidate in (base / "Qt" / "plugins" / "platforms", base / "plugins" / "platforms"):
        if candidate.is_dir():
            return candidate
    return None


def missing_libraries(plugin: Path) -> list[str]:
    """Libraries that `ldd` reports as not found for the xcb plugin and Qt's xcb support."""
    targets = [plugin]
    lib = plugin.parent.parent.parent / "lib"
    targets += sorted(lib.glob("libQt6XcbQpa.so*"))[:1]
    missing: list[str] = []
    for target in targets:
        try:
            out = subprocess.run(
                ["ldd", str(target)], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        missing += re.findall(r"^\s*(\S+)\s+=>\s+not found", out, flags=re.MULTILINE)
    # Qt 6.5+ opens libxcb-cursor at run time (not a link-time dependency ldd would show).
    if not _known_to_loader("libxcb-cursor.so.0"):
        missing.append("libxcb-cursor.so.0")
    return sorted(set(missing))


def _known_to_loader(name: str) -> bool:
    try:
        out = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return True  # cannot tell; do not cry wolf
    return name in out


def packages_for(libraries: list[str]) -> list[str]:
    """Debian packages providing `libraries` (unknown ones are named as they are)."""
    return sorted({PACKAGES.get(name, name) for name in libraries})


def try_start() -> str | None:
    """Start a QGuiApplication on xcb in a child; None on success, else its last words."""
    code = "from PySide6.QtGui import QGuiApplication; QGuiApplication(['preflight'])"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "the Qt start check timed out"
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {proc.returncode}"


def main() -> int:  # noqa: PLR0911 (one answer per case reads best)
    """Print what is missing and how to install it; 0 when the desktop can start."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return 0  # offscreen, wayland, ...: nothing to check
    if not sys.platform.startswith("linux"):
        return 0
    if plugin_dir() is None:
        sys.stderr.write("fincast: PySide6 is not installed; run `make run` to set it up.\n")
        return 1
    plugin = plugin_dir() / "libqxcb.so"  # type: ignore[operator]
    missing = missing_libraries(plugin) if plugin.exists() else []
    if missing:
        packages = packages_for(missing)
        sys.stderr.write(
            "fincast: Qt's xcb platform plugin cannot load; these libraries are missing: "
            + ", ".join(missing)
            + "\nInstall them with:\n    sudo apt-get install "
            + " ".join(packages)
            + "\n"
        )
        return 1
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        sys.stderr.write(
            "fincast: no display (DISPLAY is not set). Run it in a desktop session, or set "
            "QT_QPA_PLATFORM=offscreen to run without a window.\n"
        )
        return 1
    problem = try_start()
    if problem is not None:
        sys.stderr.write(
            f"fincast: Qt could not start on this display: {problem}\nOn Debian/Ubuntu these "
            "packages usually fix it:\n    sudo apt-get install " + " ".join(BASELINE) + "\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
