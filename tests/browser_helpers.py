"""Drive a real JupyterLab in headless Chromium: start a throwaway server, open notebooks, run them, read widgets.

Used by tests/test_browser.py. Nothing here downloads a browser: it drives the Chromium that the system package
manager installed (Debian: `apt-get install chromium`) through Python Playwright.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
#: Keep the browser quiet and offline: no GPU, no QUIC, no first-run pages, no background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often mount a tiny /dev/shm; Chromium then crashes on big pages
]
REQUIRE_ENV = "RNN_LIB_REQUIRE_BROWSER"

SERVER_START_SECONDS = 60
KERNEL_START_MS = 60_000
RUN_ALL_MS = 120_000
WIDGET_UPDATE_MS = 30_000

#: JupyterLab user settings: no news toast over the page, no update check (both would reach the internet).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}

#: The notebook panel in the front tab.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


# --- is there a browser? -------------------------------------------------------------------------

def browser_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium and Playwright are both installed."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (install the system package: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Python Playwright is not installed (pip install playwright; no browser download is needed)"
    return None


def require_browser() -> None:
    """Skip the calling test when no browser is available, or fail it when RNN_LIB_REQUIRE_BROWSER=1 (CI)."""
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# --- a throwaway JupyterLab server ---------------------------------------------------------------

@dataclass
class JupyterLab:
    """A running JupyterLab server: where it listens, its token, the folder it serves, its log."""

    base_url: str
    token: str
    root_dir: Path
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        """Absolute URL of `path` (e.g. "lab/tree/x.ipynb") with the token appended."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 5.0):
        """Call the REST API; returns the decoded JSON body (None when empty)."""
        request = urllib.request.Request(f"{self.base_url}/api/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel the server runs (between notebooks, so only one trains at a time)."""
        for kernel in self.api("kernels"):
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=15)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log, for failure messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_lab_settings(settings_dir: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _server_environment(workdir: Path) -> dict[str, str]:
    """Environment with every Jupyter/IPython user directory inside `workdir`, and rnn_lib importable.

    JUPYTER_DATA_DIR and JUPYTER_CONFIG_DIR only replace the *user* directories: the active environment's
    share/jupyter (where the ipywidgets labextension lives) and etc/jupyter are still searched.
    """
    env = dict(os.environ)
    for name, sub in [("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_CONFIG_DIR", "config"),
                      ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython")]:
        (workdir / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(workdir / sub)
    _write_lab_settings(workdir / "settings")
    # The kernel starts in the copied notebooks folder: make the repository's rnn_lib importable from there.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)
    return env


def _wait_until_serving(lab: JupyterLab) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {lab.process.returncode}:\n{lab.log_tail()}")
        with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
            lab.api("status", timeout=2)
            return
        time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer /api/status within {SERVER_START_SECONDS} s:\n{lab.log_tail()}")


def _stop_server(lab: JupyterLab) -> None:
    """Ask the server to stop its kernels and exit; kill its process group if it does not."""
    if lab.process.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            lab.api("shutdown", method="POST", timeout=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.process.wait(timeout=15)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if lab.process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(lab.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.process.wait(timeout=10)


@contextlib.contextmanager
def running_jupyterlab(notebooks_dir: Path, workdir: Path) -> Iterator[JupyterLab]:
    """Serve a COPY of `notebooks_dir` with a fresh JupyterLab on 127.0.0.1, a free port and a random token.

    The browser may save or autosave the copy; the committed notebooks are never touched. All of JupyterLab's
    settings, workspaces, runtime files and the IPython profile live in `workdir`.
    """
    root_dir = workdir / "notebooks"
    shutil.copytree(notebooks_dir, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    token = secrets.token_hex(24)
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root_dir}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = workdir / "jupyterlab.log"
    with open(log_path, "wb") as log:
        # A session of its own, so teardown can signal the server and anything it spawned in one go.
        process = subprocess.Popen(command, cwd=root_dir, env=_server_environment(workdir), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root_dir, process, log_path)
    try:
        _wait_until_serving(lab)
        yield lab
    finally:
        _stop_server(lab)


@contextlib.contextmanager
def headless_chromium() -> Iterator[object]:
    """The system Chromium, headless, driven by Playwright; closed even when the test fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


# --- driving a notebook --------------------------------------------------------------------------

def save_screenshot(target, name: str) -> Path:
    """Save a PNG of a page or locator as tests/artifacts/<name>.png."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    target.screenshot(path=str(path))
    return path


def wait_for_kernel_idle(page, timeout_ms: int = KERNEL_START_MS) -> None:
    """Wait until the front notebook has a kernel and the status bar reports it idle."""
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const name = panel && panel.querySelector('.jp-KernelName');
            if (!name || /No Kernel/.test(name.textContent)) return false;
            const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
            const status = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
                .map(item => item.textContent).find(text => / \\| /.test(text));
            return indicator && indicator.dataset.status === 'idle' && status && / \\| Idle$/.test(status.trim());
        }""",
        timeout=timeout_ms,
    )


def open_notebook(page, lab: JupyterLab, name: str) -> None:
    """Open notebook `name` in a workspace of its own and wait for its kernel to be idle."""
    workspace = Path(name).stem.replace("_", "-")
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{name}"))
    page.wait_for_selector(f"{PANEL} .jp-Notebook", timeout=KERNEL_START_MS)
    # Either a kernel starts, or (for a notebook with no stored kernelspec) a dialog asks which one to use.
    page.wait_for_function(
        """() => document.querySelector('.jp-Dialog') || Array.from(document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName')).some(el => !/No Kernel/.test(el.textContent))""",
        timeout=KERNEL_START_MS)
    if page.locator(".jp-Dialog").count():
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
    wait_for_kernel_idle(page)


def run_menu_command(page, menu: str, item: str) -> None:
    """Click `menu` in the menu bar, then `item` in the menu that opens (as a student would)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel").filter(has_text=item).first.click()


_CELL_STATES_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return Array.from(panel.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(cell => {
        const prompt = cell.querySelector('.jp-InputArea-prompt');
        return prompt ? prompt.textContent.trim() : '';
    });
}"""

_ERRORS_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const found = [];
    for (const el of panel.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')) {
        if (/Traceback|\\w+Error\\b/.test(el.textContent)) found.push(el.textContent.slice(0, 2000));
    }
    for (const el of panel.querySelectorAll('.jp-OutputArea-output')) {
        if (/Error displaying widget|Error rendering/i.test(el.textContent)) found.push(el.textContent.slice(0, 500));
    }
    return found;
}"""


def clear_and_run_all(page) -> list[str]:
    """Clear every output, run all cells, wait until none is queued or running; returns the cells' prompts."""
    run_menu_command(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({_CELL_STATES_JS})().every(p => !/\\d/.test(p))", timeout=10_000)
    run_menu_command(page, "Run", "Run All Cells")
    # Finished: no "[*]" prompt, every code cell numbered (or, after an error, the rest un-queued) and the
    # kernel idle -- still true a moment later, so a gap between two cells is not mistaken for the end.
    done_js = f"""() => {{
        const prompts = ({_CELL_STATES_JS})();
        const indicator = document.querySelector(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
        const settled = prompts.length > 0 && !prompts.some(p => p.includes('*'))
            && indicator && indicator.dataset.status === 'idle';
        if (!settled) {{ window.__rnnSettledSince = undefined; return false; }}
        window.__rnnSettledSince = window.__rnnSettledSince || Date.now();
        return Date.now() - window.__rnnSettledSince > 1500;
    }}"""
    page.wait_for_function(done_js, timeout=RUN_ALL_MS, polling=250)
    return page.evaluate(_CELL_STATES_JS)


def error_outputs(page) -> list[str]:
    """Tracebacks and widget-render errors shown anywhere in the front notebook."""
    return page.evaluate(_ERRORS_JS)


def log_console_errors(page) -> str:
    """Tracebacks in JupyterLab's log console ('' if none).

    An exception in a widget callback that is not inside an Output widget is not shown in the notebook: the
    kernel's error goes to the log console, and the status bar shows a message count.
    """
    status = page.locator(".jp-LogConsoleStatusItem")
    count = status.first.inner_text().strip() if status.count() else ""
    if not (count.isdigit() and int(count) > 0) and not page.locator(".jp-LogConsolePanel").count():
        return ""
    if not page.locator(".jp-LogConsolePanel").count():
        run_menu_command(page, "View", "Show Log Console")
        page.locator(".jp-LogConsolePanel").first.wait_for(timeout=5000)
    text = page.locator(".jp-LogConsolePanel").first.inner_text()
    return text[-3000:] if re.search(r"Traceback|\w+Error\b", text) else ""


def image_sources(page, selector: str) -> list[str]:
    """The src of every <img> inside `selector` (matplotlib figures arrive as data: URIs)."""
    return page.eval_on_selector_all(f"{PANEL} {selector} img", "imgs => imgs.map(img => img.src)")


def inner_text(page, selector: str) -> str:
    """Rendered text of the first element matching `selector` in the front notebook."""
    locator = page.locator(f"{PANEL} {selector}").first
    locator.scroll_into_view_if_needed()
    return locator.inner_text()


def slider_readout(page, css_class: str) -> str:
    """The value shown next to the slider with class `css_class`."""
    return page.locator(f"{PANEL} .{css_class} .widget-readout").first.inner_text().strip()


def nudge_slider(page, css_class: str) -> tuple[str, str]:
    """Move the slider `css_class` one step with the keyboard (right, or left at the maximum).

    The sliders use continuous_update=False: a key press is a complete "release", so the kernel is told once.
    Returns the readout (before, after).
    """
    handle = page.locator(f"{PANEL} .{css_class} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    before = slider_readout(page, css_class)
    for key in ("ArrowRight", "ArrowLeft"):
        handle.focus()
        handle.press(key)
        with contextlib.suppress(Exception):
            page.wait_for_function(
                """([selector, before]) => {
                    const readout = document.querySelector(selector);
                    return readout && readout.textContent.trim() !== before;
                }""",
                arg=[f"{PANEL} .{css_class} .widget-readout", before], timeout=3000)
        after = slider_readout(page, css_class)
        if after != before:
            return before, after
    raise AssertionError(f"slider .{css_class} did not move with ArrowRight or ArrowLeft (readout {before!r})")


def wait_for_new_images_and_text(page, images_selector: str, text_selector: str, old_images: list[str],
                                 old_text: str, timeout_ms: int = WIDGET_UPDATE_MS) -> None:
    """Wait until every figure under `images_selector` is a new image and `text_selector` shows new text."""
    page.wait_for_function(
        """([imagesSelector, textSelector, oldImages, oldText]) => {
            const images = Array.from(document.querySelectorAll(imagesSelector + ' img')).map(img => img.src);
            const text = document.querySelector(textSelector);
            return images.length > 0 && images.every(src => !oldImages.includes(src))
                && text && text.innerText.trim() !== oldText.trim();
        }""",
        arg=[f"{PANEL} {images_selector}", f"{PANEL} {text_selector}", old_images, old_text],
        timeout=timeout_ms,
    )


def wait_for_new_text(page, selector: str, old_text: str, timeout_ms: int = WIDGET_UPDATE_MS) -> None:
    """Wait until the element `selector` shows text other than `old_text` (and some text at all)."""
    page.wait_for_function(
        """([selector, oldText]) => {
            const el = document.querySelector(selector);
            return el && el.innerText.trim() !== '' && el.innerText.trim() !== oldText.trim();
        }""",
        arg=[f"{PANEL} {selector}", old_text],
        timeout=timeout_ms,
    )


@contextlib.contextmanager
def explained_timeouts(lab: JupyterLab, page, what: str) -> Iterator[None]:
    """Turn a Playwright timeout inside the block into an AssertionError that says what did not happen.

    The message carries what could explain it: tracebacks in the notebook, in the log console (where a widget
    callback's exception lands), and the end of the server log.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        yield
    except PlaywrightTimeoutError as error:
        evidence = [str(error).splitlines()[0]]
        with contextlib.suppress(Exception):
            evidence += ["--- errors in the notebook ---", *error_outputs(page)]
        with contextlib.suppress(Exception):
            evidence += ["--- log console ---", log_console_errors(page)]
        evidence += ["--- end of the JupyterLab server log ---", lab.log_tail(15)]
        raise AssertionError(f"{what}: " + "\n".join(evidence)) from error


def cell_containing(page, selector: str):
    """Locator of the notebook cell whose output holds `selector` (for a screenshot of the whole widget)."""
    return page.locator(f"{PANEL} .jp-Cell").filter(has=page.locator(selector)).first


# --- latency: slider release to first update and to the final figure ------------------------------

_LATENCY_JS = """([panel, sliderClass, resultSelector, plotsSelector]) => {
    const result = document.querySelector(panel + ' ' + resultSelector);
    const plots = document.querySelector(panel + ' ' + plotsSelector);
    const handle = document.querySelector(panel + ' .' + sliderClass + ' .noUi-handle');
    const oldText = result.innerText.trim();
    const oldImages = Array.from(plots.querySelectorAll('img')).map(img => img.src);
    const m = {start: null, firstUpdate: null, firstImage: null, lastImage: null, final: null, images: 0};
    window.__rnnLatency = m;
    handle.addEventListener('keydown', () => { if (m.start === null) m.start = performance.now(); },
                            {capture: true, once: true});
    let seen = new Set(oldImages);
    const check = () => {
        if (m.start === null || m.final !== null) return;
        const now = performance.now();
        const text = result.innerText.trim();
        const images = Array.from(plots.querySelectorAll('img')).map(img => img.src);
        const fresh = images.filter(src => !seen.has(src));
        if (fresh.length) {
            fresh.forEach(src => seen.add(src));
            m.images += 1;
            if (m.firstImage === null) m.firstImage = now;
            m.lastImage = now;
        }
        if (m.firstUpdate === null && (text !== oldText || fresh.length)) m.firstUpdate = now;
        if (text !== oldText && !text.startsWith('training')) m.final = now;
    };
    const observer = new MutationObserver(check);
    observer.observe(result, {subtree: true, childList: true, characterData: true});
    observer.observe(plots, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


def measure_release(page, css_class: str, key: str, result_selector: str, plots_selector: str,
                    timeout_ms: int = WIDGET_UPDATE_MS) -> dict:
    """Press `key` on slider `css_class` and time, in the page's own clock (ms after the key press):
    the first visible change of the result line or figure, the first new figure, the last new figure before
    the final result line, and the final result line. Returns those times and how many figures arrived.
    """
    handle = page.locator(f"{PANEL} .{css_class} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    page.evaluate(_LATENCY_JS, [PANEL, css_class, result_selector, plots_selector])
    handle.focus()
    handle.press(key)
    page.wait_for_function("() => window.__rnnLatency && window.__rnnLatency.final !== null", timeout=timeout_ms,
                           polling="raf")
    m = page.evaluate("() => window.__rnnLatency")
    since = {name: (m[name] - m["start"]) / 1000 if m[name] is not None else None
             for name in ("firstUpdate", "firstImage", "lastImage", "final")}
    since["images"] = m["images"]
    return since


# --- layout at a narrow window ------------------------------------------------------------------

_LAYOUT_JS = """(panel) => {
    const root = document.querySelector(panel);
    const images = Array.from(root.querySelectorAll('.jp-OutputArea-output img')).filter(img => img.naturalWidth > 0);
    const shrunk = images.filter(img => img.clientWidth + 1 < img.naturalWidth)
        .map(img => `${img.naturalWidth} px shown at ${img.clientWidth} px: ${(img.alt || '').slice(0, 60)}`);
    const editors = Array.from(root.querySelectorAll('.jp-CodeCell .cm-scroller'));
    const cut = editors.filter(el => el.scrollWidth > el.clientWidth + 1)
        .map(el => Array.from(el.querySelectorAll('.cm-line')).map(line => line.textContent)
            .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 80));
    return {images: images.length, shrunk, editors: editors.length, cut};
}"""


def layout_report(page) -> dict:
    """Figures shown narrower than drawn, and code cells with lines wider than the editor, in the front notebook."""
    return page.evaluate(_LAYOUT_JS, PANEL)
