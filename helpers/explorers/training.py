"""Explorer of notebook 07: a trained CNN's prediction and its dL/dx saliency map."""

import numpy as np

from ..layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy
from ..plotting import SMALLEST_FONT, draw_grid, grid_figure
from .controls import Slider
from .core import Explorer

__all__ = ["prediction_example", "input_gradient", "score_gradient", "prediction_figure", "prediction_explorer"]


def prediction_example():
    """Notebook 07's network, untrained (seeded), and 10 random 8 x 8 images labelled 0 to 9."""
    rng = np.random.default_rng(0)
    model = Sequential(Conv2D(1, 8, 3, padding=1, rng=rng), ReLU(), MaxPool2D(), Flatten(), Dense(128, 10, rng=rng))
    return dict(model=model, images=rng.random((10, 8, 8, 1)), labels=np.arange(10))


def input_gradient(model, image, label):
    """Class probabilities and dL/dx of one image's loss for its true label.

    image: (H, W, C);  label: int.  Returns (probs (K,), dx (H, W, C)).
    """
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(image[None]), np.array([label]))
    dx = model.backward(loss.backward())[0]
    return loss.probs[0], dx


def score_gradient(model, image, label):
    """The gradient of the label's score (its logit, before the softmax) with respect to the image.

    image: (H, W, C);  label: int.  Returns d logits[label] / dx, shaped (H, W, C).
    Unlike dL/dx, it does not vanish when the network is confident.
    """
    logits = model.forward(image[None])  # (1, K)
    upstream = np.zeros_like(logits)
    upstream[0, label] = 1.0
    return model.backward(upstream)[0]


def prediction_figure(model, images, labels, index=0):
    """The image, dL/dx, the gradient of the true digit's score, and the probabilities.

    Each gradient is drawn on its own colour scale, whose limit its title gives.
    Returns (fig, html text).
    """
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in 0..{len(images) - 1}, got {index}")
    label = labels[index]
    probs, dx = input_gradient(model, images[index], label)
    dscore = score_gradient(model, images[index], label)
    fig, axes = grid_figure(4)
    ax_img, ax_dx, ax_score, ax_p = axes[0]
    draw_grid(ax_img, images[index][:, :, 0], f"test image {index}", cmap="Greys", centred=False,
              annotate=False, vmax=1.0)
    dx_max, score_max = float(np.abs(dx).max()), float(np.abs(dscore).max())
    draw_grid(ax_dx, dx[:, :, 0], f"dL/dx, ±{dx_max:.2g}", annotate=False, axis_names=False)
    draw_grid(ax_score, dscore[:, :, 0], f"d score[{label}]/dx, ±{score_max:.2g}", annotate=False,
              axis_names=False)
    bars = ax_p.bar(range(len(probs)), probs, color=["tab:green" if k == label else "tab:gray"
                                                     for k in range(len(probs))])
    bars[label].set_hatch("///")  # the true digit: hatched and its number bold, not only green
    bars[label].set_edgecolor("black")
    ax_p.set_xticks(range(len(probs)))
    true_tick = ax_p.get_xticklabels()[label]
    true_tick.set_color("tab:green")
    true_tick.set_fontweight("bold")
    ax_p.set_ylim(0, 1)
    ax_p.set_xlabel("digit (true one hatched, bold)", fontsize=8)
    ax_p.set_ylabel("probability", fontsize=8)
    ax_p.set_title(f"prob[{label}] = {probs[label]:.2f}", fontsize=10)
    fig.description = (f"Test image {index}, a {label}, with its gradients and the network's probabilities "
                       f"(it predicts {int(np.argmax(probs))})")
    ax_p.tick_params(labelsize=SMALLEST_FONT)
    predicted = int(np.argmax(probs))
    verdict = "right" if predicted == labels[index] else "<b>wrong</b>"
    text = (f"Test image {index}: true digit {label}, predicted {predicted} with probability "
            f"{probs[predicted]:.2f} ({verdict}). "
            f"dL/dx, the question's quantity for the first layer, says how the loss would change if each "
            f"pixel were brighter (red: it would rise); its largest entry is {dx_max:.2g}. "
            f"It is small only when the network is sure <i>and right</i>, prob of the true digit near 1 "
            f"(here {probs[label]:.2f}), since dL/dx is (prob − one_hot) times the logits' gradients. "
            f"d score/dx is the gradient of the true digit's logit, which does not vanish "
            f"(red: brighter would raise the score). Each map has its own colour scale.")
    return fig, text


def prediction_explorer(model, images, labels):
    """A slider over the test images."""
    index = Slider("test image", 0, len(images) - 1)
    return Explorer(lambda **s: prediction_figure(model, images, labels, **s), {"index": index},
                    label="Explorer: pick a test image, see the prediction and the gradients")
