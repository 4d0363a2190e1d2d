"""The status bar's health lights: one coloured dot and name per service, with the reason as a
tooltip. Clicking a light opens the Services page. Reads the health board; never asks the hub."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.health import Level
from desktop.hub_adapter import HubAdapter

COLOURS = {
    Level.READY: "#2e9d4f",
    Level.DEGRADED: "#d69e00",
    Level.UNAVAILABLE: "#9aa0a6",
    Level.FAILED: "#d1343e",
}


class HealthLight(QLabel):
    """A dot and a service name."""

    clicked = Signal(str)

    def __init__(self, service: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.level = Level.UNAVAILABLE
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setTextFormat(Qt.TextFormat.RichText)

    def show_level(self, level: Level, tip: str) -> None:
        """Paint the dot for `level` and put `tip` in the tooltip."""
        if level is self.level and tip == self.toolTip() and self.text():
            return  # unchanged: health events come in bursts while sidecars restart
        self.level = level
        colour = COLOURS[level]
        self.setText(f'<span style="color:{colour};font-size:14px">●</span> {self.service}')
        self.setToolTip(tip)
        self.setAccessibleName(f"{self.service}: {level.value}")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Open the Services page on click."""
        self.clicked.emit(self.service)
        super().mousePressEvent(event)


class HealthLights(QWidget):
    """All the lights, kept in step with the hub adapter."""

    clicked = Signal(str)

    def __init__(self, hub: HubAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hub = hub
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(12)
        self.lights: dict[str, HealthLight] = {}
        for service in hub.services:
            light = HealthLight(service, self)
            light.clicked.connect(self.clicked)
            layout.addWidget(light)
            self.lights[service] = light
            self._update(service)
        hub.health_changed.connect(self._update)

    def _update(self, service: str) -> None:
        light = self.lights.get(service)
        if light is not None:
            health = self._hub.health(service)
            light.show_level(health.level, health.sentence())
