"""The dashboard of the samples as Chromium renders it: 1280 px, a 390 px phone, and A4 print.

Screenshots and the PDF are kept in the test's folder for people to look at; the assertions
measure the rendering itself (boxes from the DevTools protocol, pages of the printed PDF).
"""
from __future__ import annotations

import base64
import csv
import functools
import io
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
from support.sample_build import build_samples
from test_dashboard_browser import CHROMIUM, _LoggingHandler, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent : apt-get install -y chromium"),
]
ROWS = "Array.from(document.querySelectorAll('#table-projets tbody tr')).filter(r => !r.hidden)"
MAX_PAGES = 12
A4 = (595.0, 842.0)


@pytest.fixture(scope="module")
def samples_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("rendu")
    build_samples(root)
    requested: list[str] = []
    handler = type("Handler", (_LoggingHandler,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root / "publie")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tableau-de-bord/index.html", root / "publie"
    server.shutdown()
    server.server_close()


def _open(browser, url: str, width: int, height: int, mobile: bool) -> None:  # noqa: F811 - DevTools client
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
    browser.call("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired")
    browser.events.clear()


def _screenshot(browser, path, width: int) -> bytes:  # noqa: F811 - DevTools client
    height = min(browser.call("Page.getLayoutMetrics")["cssContentSize"]["height"], 16000)
    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path.write_bytes(png)
    return png


def test_phone_keeps_the_cost_column_on_screen(samples_site, browser, tmp_path):  # noqa: F811 - fixture
    url, _ = samples_site
    _open(browser, url, 390, 844, True)
    assert browser.js("window.innerWidth") == 390
    # no sideways scrolling of the page itself
    assert browser.js("document.documentElement.scrollWidth") <= 390
    boxes = browser.js(f"{ROWS}.map(r => {{ const b = r.querySelector('td.col-cout').getBoundingClientRect();"
                       " return [b.left, b.right, b.width]; })")
    assert len(boxes) > 40
    for left, right, width in boxes:
        assert 0 <= left and right <= 390 and width > 30, (left, right)
    # the columns moved to the sheets are hidden, the name stays readable
    assert browser.js("getComputedStyle(document.querySelector('#table-projets td.col-secondaire')).display") == "none"
    names = browser.js(f"{ROWS}.map(r => r.cells[0].getBoundingClientRect().width)")
    assert min(names) >= 120
    _screenshot(browser, tmp_path / "telephone-390.png", 390)


def test_desktop_filters_sheets_and_csv_download(samples_site, browser, tmp_path):  # noqa: F811 - fixture
    url, out = samples_site
    _open(browser, url, 1280, 900, False)
    total = browser.js(f"{ROWS}.length")
    latest = list(csv.DictReader((out / "panorama-derniere-edition.csv").open(encoding="utf-8", newline="")))
    assert total == len(latest)
    ministry = latest[0]["ministere_nom"]
    expected = sorted(r["identifiant"] for r in latest if r["ministere_nom"] == ministry)
    browser.js(f"(() => {{ const s = document.getElementById('filtre-ministere'); s.value = {ministry!r};"
               " s.dispatchEvent(new Event('change')); })()")
    assert sorted(browser.js(f"{ROWS}.map(r => r.dataset.id)")) == expected
    phase = next(r["phase"] for r in latest if r["ministere_nom"] == ministry)
    browser.js(f"(() => {{ const s = document.getElementById('filtre-phase'); s.value = {phase!r};"
               " s.dispatchEvent(new Event('change')); })()")
    both = sorted(r["identifiant"] for r in latest if r["ministere_nom"] == ministry and r["phase"] == phase)
    assert sorted(browser.js(f"{ROWS}.map(r => r.dataset.id)")) == both

    # the filtered rows downloaded as CSV, built in the page (Blob), published field names
    downloads = tmp_path / "telechargements"
    downloads.mkdir()
    browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
    browser.click("#telecharger-selection")
    target = downloads / "panorama-selection.csv"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert sorted(r["identifiant"] for r in rows) == both
    by_id = {r["identifiant"]: r for r in latest}
    for row in rows:
        assert row["cout_estime_meur"] == by_id[row["identifiant"]]["cout_estime_meur"]
        assert row["ministere_nom"] == ministry

    # a shared link opens the project's sheet
    ident = both[0]
    browser.call("Page.navigate", url=f"{url}#projet-{ident}")
    time.sleep(0.5)
    assert browser.js(f"document.getElementById('projet-{ident}').open") is True
    top = browser.js(f"document.getElementById('projet-{ident}').getBoundingClientRect().top")
    assert -1 <= top < 900
    problems = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    assert not problems, problems
    browser.call("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired")
    _screenshot(browser, tmp_path / "ordinateur-1280.png", 1280)


def test_printed_on_a4_without_cut_charts_or_interface_text(samples_site, browser, tmp_path):  # noqa: F811 - fixture
    pypdf = pytest.importorskip("pypdf")
    url, _ = samples_site
    _open(browser, url, 1280, 900, False)
    pdf = base64.b64decode(browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=False,
                                        displayHeaderFooter=False)["data"])
    (tmp_path / "tableau-de-bord.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= MAX_PAGES
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    whole = " ".join(texts)
    for interface in ("Télécharger la sélection", "Rechercher (nom", "Voir les chiffres", "Aller au contenu"):
        assert interface not in whole, interface
    # each chart on one page: its caption on the same page as its own labels
    checks = {"Projets par phase": "Déploiement", "Nombre de projets": "n° 21", "Coût total estimé": "Md€",
              "Projets par tranche de coût": "plus de 100 M€"}
    for caption, label in checks.items():
        pages = [i for i, t in enumerate(texts) if caption in t]
        assert pages, caption
        assert label.replace("\u00a0", " ") in texts[pages[0]].replace("\u00a0", " "), (caption, pages[0])
    # the projects table's header repeats on each page it spans (from its title to the sheets' title)
    start = next(i for i, t in enumerate(texts) if "Les projets de la dernière édition" in t)
    end = next(i for i, t in enumerate(texts) if "Fiches des projets" in t)
    assert end > start  # the table spans several pages: the check below means something
    for index in range(start, end + 1):
        assert "Nom du projet" in texts[index] and "Coût estimé" in texts[index], index
