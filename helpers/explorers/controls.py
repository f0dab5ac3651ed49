"""An explorer's controls: plain models of a value and its limits, observed by the Explorer.

The page shows them with the browser's own controls (helpers/explorers/panel.js):
a :class:`Slider` as a labelled ``<input type="range">``, a :class:`Choice` as a
named group of radio buttons.  They need no widget library: tests set ``.value``
as a learner's key press does.
"""

import traitlets

__all__ = ["Slider", "Choice"]


class Slider(traitlets.HasTraits):
    """A whole number from min to max in steps of step, named by its label."""

    value = traitlets.Int()
    min = traitlets.Int()
    max = traitlets.Int()
    step = traitlets.Int(1)

    def __init__(self, label, min, max, value=None, step=1):  # noqa: A002  the names a slider has
        if not (isinstance(step, int) and step >= 1):
            raise ValueError(f"step must be a whole number >= 1, got {step!r}")
        if max < min:
            raise ValueError(f"max must be >= min, got min={min}, max={max}")
        super().__init__(min=min, max=max, step=step, value=min if value is None else value)
        self.label = label

    @traitlets.validate("value")
    def _clamp(self, proposal):
        return max(self.min, min(self.max, proposal["value"]))

    @traitlets.observe("min", "max")
    def _keep_inside(self, change):
        self.value = max(self.min, min(self.max, self.value))

    def values(self):
        """Every value, in order."""
        return list(range(self.min, self.max + 1, self.step))

    def spec(self):
        return {"kind": "slider", "label": self.label, "min": self.min, "max": self.max, "step": self.step}


class Choice(traitlets.HasTraits):
    """One of a few options, named by its label; options are values or (text, value) pairs."""

    value = traitlets.Any()
    options = traitlets.List()

    def __init__(self, label, options, value=None):
        super().__init__(options=list(options))
        self.label = label
        self.value = self.values()[0] if value is None else value

    @traitlets.validate("value")
    def _known(self, proposal):
        if proposal["value"] not in self.values():
            raise traitlets.TraitError(f"{self.label} must be one of {self.values()}, got {proposal['value']!r}")
        return proposal["value"]

    def values(self):
        """Every value, in order."""
        return [option[1] if isinstance(option, tuple) else option for option in self.options]

    def spec(self):
        texts = [str(option[0] if isinstance(option, tuple) else option) for option in self.options]
        return {"kind": "choice", "label": self.label,
                "options": [{"label": text, "value": value} for text, value in zip(texts, self.values())]}
