"""The labs in a real browser: ``make lab``'s servers, driven by Playwright in Debian's chromium.

One launcher (``python -m infralab.lab``, what ``make lab`` runs) starts JupyterLab and Phoenix
on free 127.0.0.1 ports for the whole module. Then, as a learner and an instructor would:

- a notebook with a widget broken on purpose is caught (the check below can fail);
- each lab opens unmodified, runs top to bottom with only its stubs failing (in its visible
  tests), and each reference solution runs with no error, every widget and plot displayed;
- nbgrader's Formgrader, Assignment List and Validate button work on first open;
- nothing listens beyond 127.0.0.1, with a kernel running;
- Phoenix shows the labs' traces with their cost.

Notebooks are run from copies under ``build/browser/run/`` (git-ignored; JupyterLab's autosave
is off in this browser's settings), so a run can be saved and its outputs read back as
nbformat JSON: errors are judged from the saved outputs, rendering from the page. Screenshots
go to ``build/browser/`` (CI artefacts). No chromium, no pass: the module fails (apt-get
install chromium; .ci/run installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import free_port

from infralab.lab import _get

pytestmark = [pytest.mark.slow, pytest.mark.phoenix]

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "browser"  # git-ignored (build/): screenshots, and the run copies
RUN = OUT / "run"
FIXTURES = Path(__file__).parent / "fixtures"
LABS = sorted(d.name for d in (REPO / "labs").iterdir() if (d / f"{d.name}.ipynb").is_file())
# Seconds a notebook may take to run in the browser (the slowest lab runs in about 15 s).
RUN_TIMEOUT_S = 240
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass
class Servers:
    lab_url: str
    token: str
    phoenix_url: str
    out: list[str]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """``python -m infralab.lab`` as ``make lab NO_BROWSER=1`` runs it, stopped with Ctrl-C."""
    tmp = tmp_path_factory.mktemp("lab")
    settings = tmp / "settings"
    # This browser's JupyterLab settings (not the user's): no autosave, so opening or running
    # a notebook never writes it; every cell attached to the page, so every output is there
    # to check.
    for plugin, values in {
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    env |= {
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    cmd = [
        sys.executable,
        "-m",
        "infralab.lab",
        "--no-browser",
        "--lab-port",
        str(free_port()),
        "--phoenix-port",
        str(free_port()),
        "--phoenix-dir",
        str(tmp / "phoenix"),
    ]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not (
            any("JupyterLab: http" in x for x in lines)
            and any("Phoenix:    http" in x for x in lines)
        ):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        text = "".join(lines)
        lab = re.search(r"JupyterLab: (http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", text)
        phoenix = re.search(r"Phoenix:    (http://127\.0\.0\.1:\d+)", text)
        assert lab and phoenix, f"make lab did not start:\n{text}"
        yield Servers(lab.group(1), lab.group(2), phoenix.group(1), lines)
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            rest, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            rest, _ = proc.communicate()
        lines.append(rest)
    assert proc.returncode == 0 and "stopped JupyterLab and Phoenix" in rest, "".join(lines)


@pytest.fixture
def page(browser, servers):
    """A fresh page that records every request leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.outside = []  # type: ignore[attr-defined]
    pg.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))
            else pg.outside.append(r.url)
        ),  # type: ignore[attr-defined]
    )
    yield pg
    outside = pg.outside  # type: ignore[attr-defined]
    context.close()
    _shutdown_kernels(servers)  # a lab's kernel holds a few hundred MB
    assert outside == [], f"the page fetched from outside this machine: {outside}"


# ---------------------------------------------------------------------------------------------
# Driving JupyterLab


def _copy(kind: str, name: str, src: Path) -> str:
    """Copy ``src`` (a lab directory or a notebook) under build/browser/run; its server path."""
    dest = RUN / kind / name
    shutil.rmtree(dest, ignore_errors=True)
    if src.is_dir():
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        notebook = dest / f"{name}.ipynb"
    else:
        dest.mkdir(parents=True)
        notebook = dest / src.name
        shutil.copy2(src, notebook)
    return str(notebook.relative_to(REPO))


def _open(page, servers: Servers, path: str) -> None:
    """Open ``path`` in its own JupyterLab workspace and wait for its kernel to be idle."""
    workspace = re.sub(r"\W", "-", path)
    page.goto(
        f"{servers.lab_url}/lab/workspaces/{workspace}/tree/{path}?reset&token={servers.token}"
    )
    # Loaded (cells on the page) and connected to its kernel: the status bar names the
    # kernel and says Idle (it says "No Kernel | Initializing" while the notebook loads).
    page.wait_for_function(
        r"""() => document.querySelector('.jp-Notebook .jp-Cell')
                  && /\(ipykernel\) \| Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText)""",
        timeout=120_000,
        polling=250,
    )


def _dirty(page) -> bool:
    """Does the notebook's tab show JupyterLab's unsaved-changes mark?"""
    return page.locator(".lm-TabBar-tab.jp-mod-dirty").count() > 0


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _wait_for_the_run(page) -> None:
    page.wait_for_function(
        r"""() => {
          const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
          const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
            .map(p => p.textContent);
          return ind?.dataset.status === 'idle' && !prompts.some(p => p.includes('*'))
            && prompts.some(p => /\[\d+\]/.test(p));
        }""",
        timeout=RUN_TIMEOUT_S * 1000,
        polling=500,
    )


def _run_all_and_save(page) -> list[int]:
    """Run > Run All Cells, wait for the run to end, save (Ctrl-S); the code cells not run.

    Run All marks every code cell queued (``[*]``) at once, so the run has ended when the
    kernel is idle, no cell is queued and one has an execution count. A code cell left
    without a count was never run: the kernel drops its queue after an error, unless the
    failing cell is tagged ``raises-exception`` (as the labs' visible tests are).
    """
    page.locator(".jp-Notebook").first.click()
    _menu(page, "Run", "Run All Cells")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_for_the_run(page)
    except PlaywrightTimeout:
        shot = _screenshot(page, "timeout-" + re.sub(r"\W", "-", page.url.split("/tree/")[-1]))
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        raise AssertionError(f"the run did not end; prompts {prompts}; screenshot {shot}") from None
    not_run = page.evaluate(
        r"""() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
             .map((c, i) => [i, c.classList.contains('jp-CodeCell')
                                && !/\[\d+\]/.test(c.querySelector('.jp-InputPrompt')?.textContent)])
             .filter(([, skipped]) => skipped).map(([i]) => i)"""
    )
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=60_000
    )
    return not_run


def _rendering(page) -> dict:
    """What the page shows in the notebook's outputs: widgets, broken widgets, images."""
    return page.evaluate(
        """() => {
          const outs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')];
          const text = outs.map(o => o.innerText).join('\\n');
          const imgs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')];
          return {
            widgets: outs.filter(o => o.querySelector(':scope > .jupyter-widgets')
                                   && !o.querySelector('.jupyter-widgets-error-widget')).length,
            broken: outs.filter(o => o.querySelector('.jupyter-widgets-error-widget')).length,
            loading: (text.match(/Loading widget/g) || []).length,
            error_text: (text.match(/Error displaying widget/g) || []).length,
            images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
            broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length,
          };
        }"""
    )


def _saved_outputs(path: str) -> dict:
    """From the saved notebook: widget views and images it displayed, and its errors."""
    nb = json.loads((REPO / path).read_text())
    widgets = images = 0
    errors = []
    for index, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            widgets += WIDGET_VIEW in data
            images += "image/png" in data or "image/svg+xml" in data
            if out["output_type"] == "error":
                nbgrader = cell.get("metadata", {}).get("nbgrader", {})
                errors.append(
                    {
                        "cell": index,
                        "grade": nbgrader.get("grade", False),
                        "solution": nbgrader.get("solution", False),
                        "error": f"{out['ename']}: {out['evalue']}",
                    }
                )
    return {"widgets": widgets, "images": images, "errors": errors, "cells": nb["cells"]}


def _rendering_problems(shown: dict, saved: dict) -> list[str]:
    """Every way the page failed to display what the kernel sent (empty when none)."""
    problems = []
    if shown["broken"] or shown["error_text"]:
        problems.append(f"{max(shown['broken'], shown['error_text'])} widget(s) show an error")
    if shown["loading"]:
        problems.append(f"{shown['loading']} widget(s) still say 'Loading widget...'")
    if shown["widgets"] != saved["widgets"]:
        problems.append(f"{saved['widgets']} widget views sent, {shown['widgets']} displayed")
    if shown["broken_images"] or shown["images"] < saved["images"]:
        problems.append(f"{saved['images']} images sent, {shown['images']} displayed")
    return problems


def _screenshot(page, name: str, show: str | None = None) -> Path:
    """A screenshot for the CI artefacts, with the first element matching ``show`` in view."""
    if show is not None and page.locator(show).count():
        page.locator(show).first.scroll_into_view_if_needed()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    return path


PLOT = ".jp-Notebook .jp-OutputArea-output img"
WIDGET = ".jp-Notebook .jp-OutputArea-output > .jupyter-widgets"


def _shutdown_kernels(servers: Servers) -> None:
    """End the kernels this module started (a lab kernel holds a few hundred MB)."""
    import urllib.request

    headers = {"Authorization": f"token {servers.token}"}
    for session in _get(f"{servers.lab_url}/api/sessions", headers):
        request = urllib.request.Request(
            f"{servers.lab_url}/api/sessions/{session['id']}", method="DELETE", headers=headers
        )
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30)


# ---------------------------------------------------------------------------------------------
# The check can fail


def test_a_widget_broken_on_purpose_is_caught(page, servers):
    """Does the rendering check see a widget the browser cannot display (and only that one)?"""
    path = _copy("fixtures", "broken_widget", FIXTURES / "broken_widget.ipynb")
    _open(page, servers, path)
    assert _run_all_and_save(page) == []
    shown, saved = _rendering(page), _saved_outputs(path)
    _screenshot(page, "fixture-broken-widget", ".jupyter-widgets-error-widget")
    assert saved["widgets"] == 2 and saved["images"] == 1 and saved["errors"] == [], saved
    assert shown["broken"] == 1 and shown["widgets"] == 1 and shown["images"] == 1, shown
    problems = _rendering_problems(shown, saved)
    assert problems == ["1 widget(s) show an error", "2 widget views sent, 1 displayed"]


# ---------------------------------------------------------------------------------------------
# Each lab, as a learner finds it, and its reference solution


@pytest.mark.parametrize("lab", LABS)
def test_the_lab_opens_unmodified_and_only_its_stubs_fail(page, servers, lab):
    path = _copy("labs", lab, REPO / "labs" / lab)
    _open(page, servers, path)
    assert not _dirty(page), f"{lab} shows as modified as soon as it opens"
    not_run = _run_all_and_save(page)
    shown, saved = _rendering(page), _saved_outputs(path)
    _screenshot(page, f"lab-{lab}", f"{PLOT}, {WIDGET}")
    # A released stub raises NotImplementedError, in its own cell or in the task's visible
    # test; every other cell runs ("see it work" cells say "finish task N first"), and Run All
    # goes on (the visible tests are tagged raises-exception).
    unexpected = [
        e
        for e in saved["errors"]
        if not ((e["grade"] or e["solution"]) and "NotImplementedError" in e["error"])
    ]
    assert not unexpected and not not_run, (
        f"{lab}: errors beyond the stubs and their visible tests: {unexpected}; "
        f"cells never run (Run All stopped after an error): {not_run}; "
        f"errors: {saved['errors']}"
    )
    assert saved["errors"], f"{lab}: no visible test failed on the stubs"
    assert _rendering_problems(shown, saved) == []


@pytest.mark.parametrize("lab", LABS)
def test_the_solution_runs_with_every_widget_and_plot_displayed(page, servers, lab):
    path = _copy("solutions", lab, REPO / "solutions" / lab)
    _open(page, servers, path)
    not_run = _run_all_and_save(page)
    shown, saved = _rendering(page), _saved_outputs(path)
    _screenshot(page, f"solution-{lab}", PLOT)
    if shown["widgets"]:
        _screenshot(page, f"solution-{lab}-widget", WIDGET)
    assert saved["errors"] == [] and not_run == [], (saved["errors"], not_run)
    assert _rendering_problems(shown, saved) == []
    assert saved["widgets"] + saved["images"] > 0, f"{lab} displayed no plot and no widget"


# ---------------------------------------------------------------------------------------------
# nbgrader's panels


def test_the_formgrader_lists_every_lab_on_first_open(page, servers):
    page.goto(f"{servers.lab_url}/lab/workspaces/formgrader?reset&token={servers.token}")
    page.wait_for_selector(".lm-MenuBar-itemLabel")
    _menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator("iframe").first
    table = frame.locator("table")
    table.get_by_text(LABS[0], exact=True).wait_for(timeout=120_000)
    text = table.first.inner_text()
    assert all(lab in text for lab in LABS), text
    assert "Loading, please wait" not in frame.locator("body").inner_text()
    _screenshot(page, "nbgrader-formgrader")


def test_the_assignment_list_shows_every_lab_on_first_open(page, servers):
    page.goto(f"{servers.lab_url}/lab/workspaces/assignments?reset&token={servers.token}")
    page.wait_for_selector(".lm-MenuBar-itemLabel")
    _menu(page, "Nbgrader", "Assignment List")
    panel = page.locator("#fetched_assignments_list")
    panel.get_by_text(LABS[0], exact=True).first.wait_for(timeout=120_000)
    body = page.locator(".lm-DockPanel").inner_text()
    assert all(lab in panel.inner_text() for lab in LABS), panel.inner_text()
    assert "Error" not in body and "does not exist" not in body, body
    _screenshot(page, "nbgrader-assignment-list")


def test_validate_passes_a_solved_notebook(page, servers):
    path = _copy("validate", LABS[0], REPO / "solutions" / LABS[0])
    _open(page, servers, path)
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text(re.compile("Success|passes|failed|error", re.I)).first.wait_for(
        timeout=RUN_TIMEOUT_S * 1000
    )
    text = dialog.inner_text()
    _screenshot(page, "nbgrader-validate")
    assert "Success" in text, text


def _descendants(pid: int) -> set[int]:
    """``pid`` and every process below it (kernels run in sessions of their own)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in found]
        found.update(children)
        frontier.extend(children)
    return found


def test_with_a_kernel_running_nothing_listens_beyond_loopback(page, servers):
    """JupyterLab, its kernel and Phoenix: every listening socket is on 127.0.0.1."""
    from test_lab_launcher import _listening_sockets

    path = _copy("sockets", LABS[0], REPO / "labs" / LABS[0])
    _open(page, servers, path)
    pids = set()
    for pid in map(int, re.findall(r"pid (\d+)", servers.out[0])):
        pids |= _descendants(pid)
    sockets = _listening_sockets(pids)
    lab_port = int(servers.lab_url.rsplit(":", 1)[1])
    phoenix_port = int(servers.phoenix_url.rsplit(":", 1)[1])
    assert {("127.0.0.1", lab_port), ("127.0.0.1", phoenix_port)} <= sockets, sockets
    # The kernel's five ZeroMQ ports are there too, on loopback like everything else.
    assert len(sockets) >= 7 and {addr for addr, _ in sockets} == {"127.0.0.1"}, sockets


# ---------------------------------------------------------------------------------------------
# Phoenix


def test_phoenix_shows_the_orientation_trace_with_its_cost(page, servers):
    """Do the labs' traces reach Phoenix, and does Phoenix price their LLM calls?

    Runs after the labs above (pytest keeps a module's order): the orientation lab's graph
    run is in its project. The trace's cost that Phoenix shows must be the sum of the
    simulator's catalog prices its calls carry (``llm.cost.total``), to the cents' fraction
    Phoenix displays.
    """
    project = "00-orientation"
    projects = _get(f"{servers.phoenix_url}/v1/projects")["data"]
    assert project in [p["name"] for p in projects], projects
    spans = _get(f"{servers.phoenix_url}/v1/projects/{project}/spans?limit=1000")["data"]
    graph = [s for s in spans if s["name"] == "LangGraph" and s["parent_id"] is None]
    assert graph, sorted({s["name"] for s in spans})
    trace_id = graph[0]["context"]["trace_id"]
    calls = [s for s in spans if s["context"]["trace_id"] == trace_id and s["span_kind"] == "LLM"]
    assert calls and all(s["attributes"].get("llm.cost.total", 0) > 0 for s in calls), calls
    want = sum(s["attributes"]["llm.cost.total"] for s in calls)
    project_id = next(p["id"] for p in projects if p["name"] == project)
    page.goto(f"{servers.phoenix_url}/projects/{project_id}/traces/{trace_id}")
    total = page.get_by_text("Total Cost", exact=True).locator("xpath=..").locator("[role=button]")
    total.wait_for(timeout=60_000)
    assert re.fullmatch(r"<\$0\.01|\$\d+\.\d+", total.inner_text()), total.inner_text()
    assert total.inner_text() not in ("$0", "$0.00")
    # The exact figure is in the total's tooltip. (Phoenix's tooltips open on a pointer that
    # moved onto them: point at a span of the tree first.)
    tree = page.get_by_test_id("application-drawer-plane")
    heading = tree.locator(".span-node__heading", has_text=calls[0]["name"]).first
    heading.wait_for(timeout=60_000)
    heading.hover()
    total.hover()
    page.get_by_text(re.compile(r"prompt → .* completion")).first.wait_for(timeout=30_000)
    shown = re.search(
        r"Cost\n\$([\d.]+) prompt → \$([\d.]+) completion\nCost\n\$([\d.]+)",
        page.inner_text("body"),
    )
    _screenshot(page, "phoenix-trace-cost")
    assert shown, page.inner_text("body")[-2000:]
    decimals = len(shown.group(3).split(".")[1])
    assert float(shown.group(3)) == pytest.approx(want, abs=10**-decimals), (shown.groups(), want)
