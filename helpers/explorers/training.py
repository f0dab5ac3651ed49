"""Explorer of notebook 07: a trained CNN's prediction and its dL/dx saliency map."""

import numpy as np

from ..layers import SoftmaxCrossEntropy
from ..plotting import draw_grid, grid_figure
from .core import Explorer

__all__ = ["input_gradient", "prediction_figure", "prediction_explorer"]


def input_gradient(model, image, label):
    """Class probabilities and dL/dx of one image's loss for its true label.

    image: (H, W, C);  label: int.  Returns (probs (K,), dx (H, W, C)).
    """
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(image[None]), np.array([label]))
    dx = model.backward(loss.backward())[0]
    return loss.probs[0], dx


def prediction_figure(model, images, labels, index=0):
    """The image, its saliency dL/dx, and the predicted probabilities.  Returns (fig, html text)."""
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in 0..{len(images) - 1}, got {index}")
    probs, dx = input_gradient(model, images[index], labels[index])
    fig, axes = grid_figure(3, size=2.8)
    ax_img, ax_dx, ax_p = axes[0]
    draw_grid(ax_img, images[index][:, :, 0], f"test image {index}", cmap="Greys", centred=False,
              annotate=False, vmax=1.0)
    draw_grid(ax_dx, dx[:, :, 0], "dL/dx (red: brighter raises the loss)", annotate=False)
    ax_p.bar(range(len(probs)), probs, color=["tab:green" if k == labels[index] else "tab:gray"
                                              for k in range(len(probs))])
    ax_p.set_xticks(range(len(probs)))
    ax_p.set_ylim(0, 1)
    ax_p.set_xlabel("digit", fontsize=8)
    ax_p.set_ylabel("probability", fontsize=8)
    ax_p.set_title("prediction (green: true digit)", fontsize=10)
    ax_p.tick_params(labelsize=7)
    predicted = int(np.argmax(probs))
    verdict = "right" if predicted == labels[index] else "<b>wrong</b>"
    text = (f"Test image {index}: true digit {labels[index]}, predicted {predicted} with probability "
            f"{probs[predicted]:.2f} "
            f"({verdict}). dL/dx is the question's quantity for the first layer: how the loss would "
            f"change if each pixel were brighter.")
    return fig, text


def prediction_explorer(model, images, labels):
    """A slider over the test images."""
    import ipywidgets as widgets

    index = widgets.IntSlider(0, 0, len(images) - 1, description="test image")
    return Explorer(lambda **s: prediction_figure(model, images, labels, **s), {"index": index})
