"""Server-rendered SVG charts: plain geometry computed here, drawn by a template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 62, 8, 28, 40


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Decimal
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    top: Decimal
    ticks: list[tuple[float, str]]
    left: int = LEFT


def _nice_top(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def bar_chart(weeks: list[tuple[dt.date, Decimal]]) -> BarChart:
    top = _nice_top(max((total for _, total in weeks), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bars = []
    for index, (start, total) in enumerate(weeks):
        height = float(total / top) * plot_h
        bars.append(Bar(x=LEFT + index * slot + slot * 0.15, y=TOP + plot_h - height,
                        width=slot * 0.7, height=height, value=total,
                        label=start.strftime("%d %b"), start=start,
                        end=start + dt.timedelta(days=6)))
    ticks = [(TOP + plot_h - plot_h * i / 4, _short(top * i / 4)) for i in range(5)]
    return BarChart(bars=bars, width=WIDTH, height=HEIGHT, baseline=TOP + plot_h, top=top,
                    ticks=ticks)


def _short(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
