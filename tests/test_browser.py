"""The student's JupyterLab experience, end to end: notebooks 05 and 06 run in a real browser and their widgets respond.

The browser tests start a throwaway JupyterLab on a copy of notebooks/ and drive the system Chromium (headless)
through Playwright. Without Chromium or Playwright they skip, unless RNN_LIB_REQUIRE_BROWSER=1 (CI), where they
fail. Screenshots of every state land in tests/artifacts/ (git-ignored).

The cheap tests at the bottom need no browser: they check that the committed notebooks carry their widget state,
so GitHub and nbviewer draw the controls.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from browser_helpers import (
    ARTIFACTS_DIR,
    REPO_ROOT,
    cell_containing,
    clear_and_run_all,
    error_outputs,
    explained_timeouts,
    headless_chromium,
    image_sources,
    inner_text,
    log_console_errors,
    nudge_slider,
    open_notebook,
    require_browser,
    running_jupyterlab,
    save_screenshot,
    wait_for_kernel_idle,
    wait_for_new_images_and_text,
    wait_for_new_text,
)

from tools.notebooks import WIDGET_STATE_MIME, WIDGET_VIEW_MIME

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
TRAINING = "05_training.ipynb"
CHAR_MODEL = "06_char_language_model.ipynb"

#: CSS classes each notebook's widgets must carry (the contract in the notebook series brief).
WIDGET_CLASSES = {
    TRAINING: ["rnn-explorer", "rnn-hidden-size", "rnn-learning-rate", "rnn-epochs", "rnn-optimizer",
               "rnn-explorer-plots", "rnn-explorer-result", "rnn-sentence", "rnn-sentence-output",
               "rnn-sentence-result"],
    CHAR_MODEL: ["rnn-temperature", "rnn-samples"],
}
SENTENCES = ["the film was great and fun", "the film was dull and boring"]  # opposite sentiments in turn


# --- fixtures: one server per module, one fresh browser page per test ------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()
    for stale in ARTIFACTS_DIR.glob("FAILED_*.png"):
        stale.unlink()
    for name in WIDGET_CLASSES:
        if not (NOTEBOOKS_DIR / name).exists():
            pytest.fail(f"notebooks/{name} does not exist", pytrace=False)
    with running_jupyterlab(NOTEBOOKS_DIR, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab):
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(request, lab, browser):
    """A fresh browser tab; screenshot FAILED_<test>.png unless the test set `request.node.browser_failed = False`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        failed = getattr(request.node, "browser_failed", True)
        if failed:
            with contextlib.suppress(Exception):
                save_screenshot(page, f"FAILED_{request.node.name}")
        context.close()
        with contextlib.suppress(Exception):
            lab.shutdown_kernels()


def _assert_no_errors(page, where: str) -> None:
    errors = error_outputs(page)
    assert not errors, f"{where}: error output in the notebook:\n" + "\n---\n".join(errors)
    logged = log_console_errors(page)
    assert not logged, f"{where}: a widget callback raised (from JupyterLab's log console):\n{logged}"


def _open_and_run_all(lab, page, name: str) -> None:
    """Open notebook `name`, clear it, Run All as a student would; every code cell must run without an error."""
    with explained_timeouts(lab, page, f"{name}: kernel did not start or Run All did not finish"):
        open_notebook(page, lab, name)
        prompts = clear_and_run_all(page)
    save_screenshot(page, f"{name[:2]}_after_run_all")
    _assert_no_errors(page, f"{name} after Run All")
    unrun = [index for index, prompt in enumerate(prompts) if not any(ch.isdigit() for ch in prompt)]
    assert not unrun, f"{name}: code cells {unrun} (0-based among code cells) did not run; prompts {prompts}"


# --- the browser tests -----------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_training_notebook_runs_and_its_explorer_responds(request, lab, page):
    _open_and_run_all(lab, page, TRAINING)

    # The explorer: each slider retrains on release; the figures and the printed result must all change.
    explorer = cell_containing(page, ".rnn-explorer")
    with explained_timeouts(lab, page, f"{TRAINING}: the explorer shows no figure after Run All"):
        explorer.scroll_into_view_if_needed()
        page.locator(".rnn-explorer-plots img").first.wait_for(timeout=30_000)
    save_screenshot(explorer, "05_explorer_default_settings")
    for css_class, screenshot in [("rnn-hidden-size", "05_explorer_hidden_size_moved"),
                                  ("rnn-learning-rate", "05_explorer_learning_rate_moved")]:
        old_images = image_sources(page, ".rnn-explorer-plots")
        old_result = inner_text(page, ".rnn-explorer-result")
        before, after = nudge_slider(page, css_class)
        with explained_timeouts(lab, page, f"moving .{css_class} {before} -> {after} did not redraw every figure in "
                                     f".rnn-explorer-plots and change .rnn-explorer-result (was {old_result!r})"):
            wait_for_new_images_and_text(page, ".rnn-explorer-plots", ".rnn-explorer-result", old_images,
                                         old_result)
            wait_for_kernel_idle(page)
        new_result = inner_text(page, ".rnn-explorer-result")
        assert new_result != old_result, f"moving .{css_class} {before} -> {after} left the result unchanged"
        save_screenshot(explorer, screenshot)
        _assert_no_errors(page, f"{TRAINING} after moving .{css_class} {before} -> {after}")

    # The sentence box: typing a sentence gives a prediction and a heatmap for it.
    sentence_cell = cell_containing(page, ".rnn-sentence")
    sentence_box = page.locator(".rnn-sentence input").first
    sentence_box.scroll_into_view_if_needed()
    for number, sentence in enumerate(SENTENCES, start=1):
        old_prediction = inner_text(page, ".rnn-sentence-result")
        old_heatmaps = image_sources(page, ".rnn-sentence-output")
        sentence_box.fill(sentence)
        sentence_box.press("Enter")
        with explained_timeouts(lab, page, f"typing {sentence!r} did not draw a new heatmap in .rnn-sentence-output "
                                     f"and change .rnn-sentence-result (was {old_prediction!r})"):
            wait_for_new_images_and_text(page, ".rnn-sentence-output", ".rnn-sentence-result", old_heatmaps,
                                         old_prediction)
            wait_for_kernel_idle(page)
        prediction = inner_text(page, ".rnn-sentence-result")
        assert prediction != old_prediction, f"typing {sentence!r} left the prediction at {old_prediction!r}"
        save_screenshot(sentence_cell, f"05_sentence_{number}_typed")
    _assert_no_errors(page, f"{TRAINING} after typing sentences")
    request.node.browser_failed = False


@pytest.mark.browser
@pytest.mark.slow
def test_char_model_notebook_runs_and_temperature_changes_samples(request, lab, page):
    _open_and_run_all(lab, page, CHAR_MODEL)

    temperature_cell = cell_containing(page, ".rnn-temperature")
    temperature_cell.scroll_into_view_if_needed()
    old_samples = inner_text(page, ".rnn-samples")
    assert old_samples.strip(), "the samples box .rnn-samples is empty after Run All"
    save_screenshot(temperature_cell, "06_samples_default_temperature")
    before, after = nudge_slider(page, "rnn-temperature")
    with explained_timeouts(lab, page, f"temperature {before} -> {after} did not change .rnn-samples"):
        wait_for_new_text(page, ".rnn-samples", old_samples)
        wait_for_kernel_idle(page)
    new_samples = inner_text(page, ".rnn-samples")
    assert new_samples != old_samples, f"temperature {before} -> {after} left the samples unchanged"
    save_screenshot(temperature_cell, "06_samples_temperature_moved")
    _assert_no_errors(page, f"{CHAR_MODEL} after moving the temperature {before} -> {after}")
    request.node.browser_failed = False


# --- no browser needed: the committed notebooks carry their widgets --------------------------------

@pytest.fixture(params=sorted(WIDGET_CLASSES), ids=lambda name: name.split("_")[0])
def committed_notebook(request):
    path = NOTEBOOKS_DIR / request.param
    if not path.exists():
        pytest.fail(f"notebooks/{request.param} does not exist", pytrace=False)
    return request.param, json.loads(path.read_text(encoding="utf-8"))


def test_committed_notebook_stores_state_for_every_widget_it_shows(committed_notebook):
    name, nb = committed_notebook
    assert nb.get("metadata", {}).get("kernelspec", {}).get("name") == "python3", (
        f"{name}: metadata.kernelspec.name should be 'python3' (else JupyterLab asks which kernel to use)")
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    assert state, f"{name}: no metadata.widgets[{WIDGET_STATE_MIME!r}]; re-execute it with tools.notebooks"
    shown = [output["data"][WIDGET_VIEW_MIME]["model_id"]
             for cell in nb["cells"] if cell["cell_type"] == "code"
             for output in cell.get("outputs", []) if WIDGET_VIEW_MIME in output.get("data", {})]
    assert shown, f"{name}: no cell output displays a widget"
    missing = [model_id for model_id in shown if model_id not in state]
    assert not missing, f"{name}: widget views {missing} have no stored state, so static renderers cannot draw them"


def test_committed_notebook_widgets_carry_the_css_classes_the_browser_test_uses(committed_notebook):
    name, nb = committed_notebook
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    classes = {css for model in state.values() for css in model.get("state", {}).get("_dom_classes", [])}
    missing = [css for css in WIDGET_CLASSES[name] if css not in classes]
    assert not missing, f"{name}: no stored widget has the CSS classes {missing} (found {sorted(classes)})"
