# SPDX-License-Identifier: Apache-2.0
# The Studio sign-in in a real browser: Debian's Chromium, headless, driven by Debian's Selenium
# (python3-selenium with chromium-driver) opens a presigned domain URL made with boto3, follows
# the redirect with the session cookie, sees the Studio page of the user profile, creates a
# KernelGateway app with the page's form and sees it reach InService (the page is reloaded, as a
# user would). Chromium runs with its background networking off, so that it talks to nothing
# but the daemon on loopback.
import os
import shutil
import tempfile
import time

import pytest

from test_sm_presign import studio

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def daemon(make_daemon):
    return make_daemon(env={"SAGEBOX_SAGEMAKER_DELAY_MS": "300"}).start()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="sagebox-chromium-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                 "--disable-breakpad", "--no-default-browser-check", "--metrics-recording-only",
                 "--safebrowsing-disable-auto-update",
                 "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
                 f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def app_rows(driver):
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "table#apps tr")
    out = {}
    for r in rows[1:]:
        cells = [c.text for c in r.find_elements(By.TAG_NAME, "td")]
        if len(cells) >= 3:
            out[(cells[0], cells[1])] = cells[2]
    return out


def test_presigned_url_in_a_browser(client, daemon, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    env = studio(client)
    url = client("sagemaker").create_presigned_domain_url(
        DomainId=env["domain"], UserProfileName="alice", ExpiresInSeconds=60)["AuthorizedUrl"]
    assert url.startswith(daemon.endpoint + "/studio/")
    browser.get(url)
    # Redirected to the Studio page with the session cookie (HttpOnly: not visible to scripts).
    assert browser.current_url == daemon.endpoint + "/studio/"
    assert browser.execute_script("return document.cookie") == ""
    body = browser.find_element(By.TAG_NAME, "body").text
    assert env["domain"] in body and "alice" in body and env["role"] in body
    assert app_rows(browser) == {}

    Select(browser.find_element(By.NAME, "AppType")).select_by_visible_text("KernelGateway")
    name = browser.find_element(By.NAME, "AppName")
    name.clear()
    name.send_keys("kg-1")
    browser.find_element(By.XPATH, "//form[@action='/studio/apps']//button").click()

    deadline = time.monotonic() + 20
    while True:
        browser.get(daemon.endpoint + "/studio/")
        state = app_rows(browser).get(("KernelGateway", "kg-1"))
        if state == "InService":
            break
        assert state in ("Pending", None), state
        assert time.monotonic() < deadline, "the app never reached InService"
        time.sleep(0.2)
    # The API agrees: the app exists, made by the profile's execution role.
    app = client("sagemaker").describe_app(DomainId=env["domain"], UserProfileName="alice",
                                           AppType="KernelGateway", AppName="kg-1")
    assert app["Status"] == "InService"
    # What Studio creates carries SageMaker's automatic tags.
    tags = {t["Key"]: t["Value"] for t in client("sagemaker").list_tags(
        ResourceArn=app["AppArn"])["Tags"]}
    prefix = f"arn:aws:sagemaker:us-east-1:000000000000"
    assert tags == {"sagemaker:domain-arn": f"{prefix}:domain/{env['domain']}",
                    "sagemaker:user-profile-arn": f"{prefix}:user-profile/{env['domain']}/alice"}
    # The same URL does not sign in twice.
    browser.delete_all_cookies()
    browser.get(url)
    assert "The sign-in link has already been used." in browser.find_element(
        By.TAG_NAME, "body").text
    assert browser.find_elements(By.CSS_SELECTOR, "table#session") == []
