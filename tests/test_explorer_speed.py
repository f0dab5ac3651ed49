"""What makes an explorer answer at the speed of a hand, each piece on its own and inside an Explorer:
the states kept (helpers/explorers/_cache.py), the background thread that draws the likely next states
(_prefetch.py), the gate that keeps it to one figure at a time and out of running cells (_gate.py), and the
pixels (drawing.py).  A long session keeps memory bounded."""

import itertools
import threading
import time

import matplotlib.pyplot as plt
import numpy as np

from helpers import explorers as E
from helpers.explorers._cache import StateCache
from helpers.explorers._gate import GATE, Gate
from helpers.explorers._prefetch import QUIET, Prefetcher, neighbours
from helpers.explorers.drawing import Drawn

DH, W = (E.EXPLORERS["multi_filter"].example()[k] for k in ("dh", "w"))  # 16 filters


def drawn(name):
    return Drawn(name.encode(), (1, 1), name, name, {})


# ---- the states kept ------------------------------------------------------------------------------------

def test_the_cache_keeps_the_most_recent_states_and_a_lookup_makes_one_recent():
    cache = StateCache(2)
    with cache.lock:
        cache.keep("a", drawn("a"))
        cache.keep("b", drawn("b"))
    assert cache.lookup("a").text == "a"  # now the most recent
    with cache.lock:
        cache.keep("c", drawn("c"))
    assert list(cache) == ["a", "c"] and cache.lookup("b") is None


def test_a_cache_of_size_0_keeps_nothing():
    cache = StateCache(0)
    with cache.lock:
        cache.keep("a", drawn("a"))
    assert len(cache) == 0 and cache.lookup("a") is None


def test_a_lookup_waits_for_the_state_the_background_thread_is_drawing():
    cache = StateCache(4)
    cache.busy = "a"

    def finish():
        with cache.lock:
            cache.keep("a", drawn("a"))
            cache.busy = None
            cache.lock.notify_all()

    threading.Timer(0.2, finish).start()
    start = time.monotonic()
    assert cache.lookup("a").text == "a" and time.monotonic() - start >= 0.15


# ---- the gate ---------------------------------------------------------------------------------------------

def test_a_cell_waits_for_the_figure_being_drawn_and_the_thread_waits_for_the_cell():
    gate, events = Gate(), []
    gate.drawing.acquire()  # a figure is being drawn
    threading.Timer(0.2, lambda: (events.append("figure done"), gate.drawing.release())).start()
    gate.before_cell()  # returns once the figure is done
    events.append("cell runs")
    assert events == ["figure done", "cell runs"] and gate.cell_running
    threading.Timer(0.2, lambda: (events.append("cell done"), gate.after_cell())).start()
    gate.wait_for_no_cell()
    assert events[-1] == "cell done" and not gate.cell_running


def test_outside_ipython_the_gate_follows_no_cells():
    gate = Gate()
    gate.hook()
    assert not gate.hooked


# ---- the plan -----------------------------------------------------------------------------------------------

def test_a_plan_leaves_out_the_states_kept_and_holds_at_most_half_the_cache():
    cache, drew = StateCache(4), []
    prefetcher = Prefetcher(cache, lambda key: drew.append(key) or drawn(str(key)))
    with cache.lock:
        cache.keep("kept", drawn("kept"))
    prefetcher.plan(["kept", "a", "b", "c"])
    assert prefetcher.todo in (["a", "b"], ["b"], [])  # the thread may have started on them
    deadline = time.monotonic() + 10
    while prefetcher.todo or cache.busy is not None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert drew == ["a", "b"] and list(cache) == ["kept", "a", "b"]
    assert all(d.timings == {} for d in cache.values())


def test_a_plan_waits_for_a_quiet_moment():
    cache, drew = StateCache(8), []
    prefetcher = Prefetcher(cache, lambda key: drew.append(key) or drawn(str(key)))
    prefetcher.plan(["a"])
    assert drew == []  # within QUIET of the change: nothing drawn yet
    time.sleep(QUIET + 0.3)
    assert drew == ["a"]
    prefetcher.plan(["b"])
    prefetcher.forget()
    time.sleep(QUIET + 0.3)
    assert drew == ["a"]  # a plan forgotten is not drawn


# ---- the glyph cache --------------------------------------------------------------------------------------

def test_a_label_never_seen_is_put_together_from_characters_read_once():
    """A new cell value costs no reading of the font: its characters' outlines are kept (helpers/_glyphs.py)."""
    from helpers import _glyphs

    _glyphs._outline("-0.123456789")
    read = _glyphs._glyph.cache_info().misses
    vertices, codes, (x0, _, x1, _) = _glyphs._outline("9.87-654")  # never seen, its characters all seen
    assert _glyphs._glyph.cache_info().misses == read
    parts = [_glyphs._glyph(char) for char in "9.87-654"]
    assert len(codes) == sum(len(c) for _, c, _, _ in parts) and x1 - x0 > 0
    assert _glyphs._outline("9.87-654")[0] is vertices  # the whole label is kept too


# ---- inside an Explorer -------------------------------------------------------------------------------------

def test_a_state_drawn_before_is_not_drawn_again():
    calls = []

    def figure_fn(f):
        calls.append(f)
        return E.multi_filter_figure(DH, W, f=f)

    explorer = E.Explorer(figure_fn, {"f": E.Slider("filter", 0, 3)})
    first = explorer.png
    explorer.controls["f"].value = 1
    explorer.controls["f"].value = 0
    assert calls == [0, 1] and explorer.png == first


# ---- bounded memory: a long session of slider moves ------------------------------------------------

def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_explorer_memory_stays_bounded_over_300_states():
    """Each drawn state used to keep its figure (about 3 MB each, 675 MB after 200 states, enough to end
    a 2 GB Binder session): now only the most recent PNGs and texts are kept, and every figure is closed."""
    import gc

    import matplotlib.figure

    explorer = E.stride_padding_explorer()
    names = list(explorer.controls)
    combos = list(itertools.product(range(3, 13), range(1, 6), range(1, 5), range(0, 4), range(1, 4)))
    states = [combos[i] for i in np.random.default_rng(0).choice(len(combos), 320, replace=False)]

    def drive(states):
        for state in states:
            with explorer.hold():
                for name, value in zip(names, state):
                    explorer.controls[name].value = value

    drive(states[:20])  # warm-up: fonts, glyph outlines, first allocations of each figure size
    gc.collect()
    before = resident_mb()
    drive(states[20:])
    gc.collect()
    assert resident_mb() - before < 60
    assert len(explorer.drawn) == explorer.remember
    assert sum(len(d.png) + len(d.text) + len(d.alt) for d in explorer.drawn.values()) < 10 * 2**20
    assert not any(isinstance(o, matplotlib.figure.Figure) for o in gc.get_objects())
    assert plt.get_fignums() == []


# ---- at the speed of a hand: pixels, sizes, the states one step away ----------------------------------

def test_a_figure_is_drawn_at_200_pixels_per_inch_and_shown_at_half_size():
    """One image pixel per screen pixel on a 2x display: 100 CSS pixels per inch of figure, never stretched."""
    import struct

    from helpers.plotting import SCREEN_DPI

    explorer = E.stride_padding_explorer()
    fig, _ = E.stride_padding_figure()
    inches = fig.get_size_inches()
    width, height = struct.unpack(">II", explorer.png[16:24])  # the PNG header's size
    assert (width, height) == explorer.size
    # inches x dots per inch, rounded or truncated (8.399999999999999 in x 200 gives 1680 or 1679 px by version)
    assert all(abs(px - 2 * SCREEN_DPI * v) < 1 for px, v in zip((width, height), inches)), ((width, height), inches)
    assert explorer.png[25] == 2  # colour type 2: RGB, no alpha channel to send
    assert (explorer.panel.width, explorer.panel.height) == (width // 2, height // 2)
    assert explorer.panel.png == explorer.png
    assert set(explorer.timings) == {"compute", "figure", "draw", "encode"}
    assert all(t > 0 for t in explorer.timings.values())


def test_the_likely_next_states_go_on_the_way_the_hand_moved():
    controls = {"a": E.Slider("a", 0, 5, 2), "t": E.Choice("t", ["x", "y", "z"], "y"),
                "s": E.Slider("s", 8, 48, 16, step=8)}
    after_a_move = [dict(key) for key in neighbours(controls, "s", -1)]
    assert after_a_move == [{"a": 2, "t": "y", "s": 8}, {"a": 2, "t": "y", "s": 24}]  # 16 - 8, then 16 + 8 (no 0)
    after_a_move = [dict(key) for key in neighbours(controls, "a", 1)]
    assert after_a_move == [{"a": 3, "t": "y", "s": 16}, {"a": 4, "t": "y", "s": 16}, {"a": 1, "t": "y", "s": 16}]
    before_any = [dict(key) for key in neighbours(controls)]
    assert before_any == [{"a": 3, "t": "y", "s": 16}, {"a": 1, "t": "y", "s": 16},  # one step of every control
                          {"a": 2, "t": "z", "s": 16}, {"a": 2, "t": "x", "s": 16},
                          {"a": 2, "t": "y", "s": 24}, {"a": 2, "t": "y", "s": 8}]


def counting_explorer(calls, **kwargs):
    """A multi-filter explorer whose figure function records the filter of every call (and its thread)."""
    import threading

    def figure_fn(f):
        calls.append((f, threading.current_thread() is threading.main_thread()))
        return E.multi_filter_figure(DH, W, f=f)

    return E.Explorer(figure_fn, {"f": E.Slider("filter", 0, 3)}, **kwargs)


def settle(explorer, timeout=30):
    """Wait until the background thread has drawn every state it planned."""
    import time

    deadline = time.monotonic() + timeout
    while explorer.background.todo or explorer.drawn.busy is not None:
        assert time.monotonic() < deadline, "the background thread did not finish"
        time.sleep(0.01)


def test_the_next_states_are_drawn_in_the_background_and_shown_at_once():
    calls = []
    explorer = counting_explorer(calls, prefetch=True)
    explorer.controls["f"].value = 1
    settle(explorer)
    assert calls == [(0, True), (1, True), (2, False), (3, False)]  # the next two steps, by the thread
    timings = explorer.timings
    explorer.controls["f"].value = 2
    assert len(calls) == 4 and explorer.png == explorer.drawn[(("f", 2),)].png
    assert explorer.timings is timings  # nothing drawn for this change


def test_no_explorer_draws_in_the_background_outside_a_kernel():
    calls = []
    explorer = counting_explorer(calls)
    explorer.controls["f"].value = 1
    assert not explorer.prefetch and explorer.background is None and calls == [(0, True), (1, True)]


def test_a_state_the_thread_is_drawing_is_awaited_not_drawn_again():
    import threading

    calls, started, release = [], threading.Event(), threading.Event()
    explorer = counting_explorer(calls, prefetch=True)
    figure_fn = explorer.figure_fn

    def slow_in_the_background(f):
        if threading.current_thread() is not threading.main_thread():
            started.set()
            release.wait(10)
        return figure_fn(f=f)

    explorer.figure_fn = slow_in_the_background
    explorer.controls["f"].value = 1
    assert started.wait(10)  # the thread is drawing f = 2
    threading.Timer(0.3, release.set).start()
    explorer.controls["f"].value = 2  # waits for the thread's drawing
    assert explorer.png == explorer.drawn[(("f", 2),)].png
    settle(explorer)
    assert [call for call in calls if call[0] == 2] == [(2, False)]  # drawn once, by the thread


def test_a_moving_hand_replaces_the_plan_and_the_thread_waits_for_a_quiet_moment():
    """Changes closer together than QUIET: the thread draws nothing; its plan is only the last state's."""
    calls = []
    explorer = counting_explorer(calls, prefetch=True)
    explorer.controls["f"].value = 1  # plans f = 2
    explorer.controls["f"].value = 2  # plans f = 3 instead (f = 1 is kept)
    assert explorer.background.todo == [(("f", 3),)]
    settle(explorer)
    assert calls == [(0, True), (1, True), (2, True), (3, False)]  # the first plan was dropped, not queued


def test_no_background_drawing_while_a_cell_runs_and_one_figure_at_a_time():
    """Notebook 07's figure function runs the model, whose layers keep state from forward to backward: no
    two figures at once (a change's own waits for the thread's), and none in the background during a cell."""
    import threading

    active, most, started, release = [0], [0], threading.Event(), threading.Event()
    explorer = counting_explorer([], prefetch=True)
    figure_fn = explorer.figure_fn

    def one_at_a_time(f):
        active[0] += 1
        most[0] = max(most[0], active[0])
        if threading.current_thread() is not threading.main_thread():
            started.set()
            release.wait(10)
        try:
            return figure_fn(f=f)
        finally:
            active[0] -= 1

    explorer.figure_fn = one_at_a_time
    explorer.controls["f"].value = 1  # plans f = 2
    assert started.wait(10)
    threading.Timer(0.3, release.set).start()
    explorer.controls["f"].value = 3  # not kept, not being drawn: drawn here, after the thread's f = 2
    assert most[0] == 1 and (("f", 2),) in explorer.drawn
    GATE.before_cell()  # a cell starts: the thread stops drawing
    try:
        explorer.drawn.pop((("f", 1),))
        explorer.controls["f"].value = 2  # kept; plans f = 1, forgotten
        threading.Event().wait(0.3)
        assert explorer.background.todo == [(("f", 1),)] and (("f", 1),) not in explorer.drawn
    finally:
        GATE.after_cell()
    settle(explorer)
    assert (("f", 1),) in explorer.drawn and most[0] == 1


def test_setting_a_control_back_within_a_hold_draws_nothing():
    calls = []
    explorer = counting_explorer(calls)
    png = explorer.png
    with explorer.hold():
        explorer.controls["f"].value = 3
        explorer.controls["f"].value = 0
    assert calls == [(0, True)] and explorer.png == png
