"""`make lab` opens the series without JupyterLab's "official Jupyter news" prompt over the explorers."""

import json
import urllib.request

NEWS_PROMPT = "Would you like to get notified about official Jupyter news?"


def test_make_lab_opens_without_the_news_prompt(browser, make_lab):
    base, token = make_lab
    url = f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
    plugin = json.load(urllib.request.urlopen(url))
    assert plugin["schema"]["properties"]["fetchNews"]["default"] == "false"  # the project's default
    assert "fetchNews" not in plugin["settings"]  # not a user setting

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/?token={token}")  # make lab's default URL: notebook 00
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.wait_for_timeout(3000)  # the prompt, when asked for, appears as soon as the layout is restored
        assert page.get_by_text(NEWS_PROMPT).count() == 0
        assert "00-the-question.ipynb" in page.url
    finally:
        page.close()
