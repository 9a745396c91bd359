"""The web UI in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven through Selenium, against real `plinth master` and `plinth agent` processes with a pymesos
framework. Screenshots land in $PLINTH_ARTIFACTS (default test-artifacts/ui in the repository)."""
import os
import shutil
import time
from pathlib import Path

import pytest
import requests

from mesos_client import command_task

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), None)
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("PLINTH_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"))

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (installed by make test as root)")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    driver.quit()
    assert not errors, f"the page logged errors: {errors}"


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # an element not rendered yet
            last = error
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def settled(read):
    """Reads the page again when it repainted under the read (it repaints on every event)."""
    for _ in range(20):
        try:
            return read()
        except StaleElementReferenceException:
            time.sleep(0.05)
    return read()


def text_of(driver, element_id: str) -> str:
    return settled(lambda: driver.find_element(By.ID, element_id).text.strip())


def attributes(driver, selector: str, name: str) -> list:
    return settled(lambda: [e.get_attribute(name) for e in driver.find_elements(By.CSS_SELECTOR, selector)])


def texts(driver, selector: str) -> str:
    return settled(lambda: " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)))


def shoot(driver, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def counts(master_addr: str) -> dict:
    state = requests.get(f"http://{master_addr}/master/state", timeout=10).json()
    tasks = [t for f in state["frameworks"] for t in f["tasks"] + f["completed_tasks"]]
    tasks += [t for f in state["completed_frameworks"] for t in f["completed_tasks"]]
    by_state: dict[str, int] = {}
    for task in tasks:
        by_state[task["state"]] = by_state.get(task["state"], 0) + 1
    return {
        "agents": sum(1 for a in state["slaves"] if a["active"]),
        "frameworks": sum(1 for f in state["frameworks"] if f["active"]),
        "by_state": by_state,
    }


def test_ui_dashboard_tasks_sandbox_and_waiting(cluster, fw, make_framework, browser):
    base = f"http://{cluster.master_addr}"
    offer = fw.take_offer(timeout=20)
    agent = offer.agent_id.value
    fw.launch(offer, [command_task("ui-done", agent, "echo done"),
                      command_task("ui-fail", agent, "echo something broke >&2; exit 3"),
                      command_task("ui-long", agent, "sleep 600")])
    fw.wait_terminal("ui-done", 30)
    fw.wait_terminal("ui-fail", 30)
    fw.wait_update("ui-long", 30, "TASK_RUNNING")

    # The dashboard's counts are /master/state's.
    browser.get(base + "/")
    expected = counts(cluster.master_addr)
    wait_for(lambda: text_of(browser, "count-agents") == str(expected["agents"]), 20, "the agent count")
    assert text_of(browser, "count-frameworks") == str(expected["frameworks"])
    for state in ("TASK_RUNNING", "TASK_FINISHED", "TASK_FAILED"):
        wait_for(lambda: text_of(browser, f"count-{state}") == str(expected["by_state"].get(state, 0)), 10, f"{state} count")
    assert text_of(browser, "count-running") == str(expected["by_state"]["TASK_RUNNING"])
    assert cluster.master_addr.split(":")[1] in text_of(browser, "leader")
    wait_for(lambda: text_of(browser, "uptime") != "0s", 10, "the uptime")
    cpus_row = wait_for(lambda: text_of(browser, "resource-cpus"), 10, "the cpus row")
    assert cpus_row.split()[0] == "cpus"
    shoot(browser, "dashboard")

    # A task launched after the page loaded appears without a reload.
    browser.get(base + "/#/tasks?state=all")
    wait_for(lambda: attributes(browser, "tr[data-task-id='ui-long']", "data-state"), 20, "ui-long in the table")
    browser.execute_script("window.__noReload = true")
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task("ui-late", offer.agent_id.value,
                                   "echo hello-from-the-sandbox; sleep 2; echo and-a-later-line; sleep 600")])
    wait_for(lambda: attributes(browser, "tr[data-task-id='ui-late']", "data-state") == ["TASK_RUNNING"],
             30, "ui-late running in the table")
    assert browser.execute_script("return window.__noReload === true"), "the page was reloaded"
    shoot(browser, "tasks")

    # Paging and filters: the failed filter shows only the failed task.
    browser.get(base + "/#/tasks?state=TASK_FAILED")
    wait_for(lambda: attributes(browser, "tr[data-task-id]", "data-task-id") == ["ui-fail"],
             20, "only ui-fail under the failed filter")

    # A failed task's page shows its reason and the tail of its stderr, and its status history.
    browser.get(f"{base}/#/task/{fw.framework_id}/ui-fail")
    failure = wait_for(lambda: text_of(browser, "stderr-tail"), 20, "the stderr tail")
    assert "something broke" in failure
    assert "exited with status 3" in text_of(browser, "failure")
    history = attributes(browser, "tr[data-status]", "data-status")
    assert history[0] == "TASK_STAGING" and history[-1] == "TASK_FAILED"

    # The sandbox page tails stdout live through the agent's /files/read.
    browser.get(f"{base}/#/sandbox/{fw.framework_id}/ui-late")
    wait_for(lambda: "hello-from-the-sandbox" in text_of(browser, "sandbox-output"), 20, "the task's stdout")
    wait_for(lambda: "and-a-later-line" in text_of(browser, "sandbox-output"), 20, "a line written later")
    assert "stdout" in text_of(browser, "sandbox-files")
    shoot(browser, "sandbox")

    # A framework whose request fits no agent says why it waits.
    big = make_framework(cluster.master_addr, name="needs-a-big-machine")
    big.driver.requestResources([{"resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 64}}]}])
    browser.get(base + "/#/tasks")
    selector = f"#waiting-panel [data-framework='{big.framework_id}'] [data-reason='NO_AGENT_FITS']"
    reason = wait_for(lambda: texts(browser, selector), 20, "the waiting panel's NO_AGENT_FITS")
    assert "no agent is big enough for cpus:64" in reason
    browser.get(base + "/#/waiting")
    wait_for(lambda: "needs-a-big-machine" in text_of(browser, "view"), 10, "the waiting page")
    shoot(browser, "waiting")


def test_ui_pages_render(cluster, fw, browser):
    """Every page renders against a live cluster and links to the others."""
    base = f"http://{cluster.master_addr}"
    fw.take_offer(timeout=20)  # leaves an outstanding offer for the offers page
    checks = {
        "frameworks": fw.framework_id,
        f"framework/{fw.framework_id}": "plinth-e2e",
        "agents": requests.get(f"{base}/master/slaves", timeout=10).json()["slaves"][0]["id"],
        "roles": "*",
        "offers": "plinth-e2e",
        "waiting": "plinth-e2e",
    }
    for page, needle in checks.items():
        browser.get(f"{base}/#/{page}")
        wait_for(lambda: needle in text_of(browser, "view"), 15, f"{needle!r} on {page}")
    browser.get(f"{base}/#/offers")
    wait_for(lambda: attributes(browser, "tr[data-offer]", "data-offer"), 15, "the outstanding offer's row")
    # Agents page 50 at a time and filter by ID or host.
    browser.get(f"{base}/#/agents?q=no-such-host")
    wait_for(lambda: "0 agent(s)" in text_of(browser, "view"), 15, "an empty filtered agents page")
    browser.get(f"{base}/#/agents?q=127.0.0")
    wait_for(lambda: len(attributes(browser, "tr[data-agent]", "data-agent")) == 1, 15, "the one agent")
    assert "page 1 of 1" in text_of(browser, "view")
    browser.get(f"{base}/#/frameworks")
    wait_for(lambda: fw.framework_id in text_of(browser, "view"), 15, "the frameworks page")
    shoot(browser, "frameworks")


def test_ui_is_served_from_the_binary_and_followers_redirect(cluster):
    base = f"http://{cluster.master_addr}"
    page = requests.get(base + "/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert '<script type="module" src="/ui/app.js">' in page.text
    for asset, kind in (("app.js", "javascript"), ("store.js", "javascript"), ("style.css", "css")):
        reply = requests.get(f"{base}/ui/{asset}", timeout=10)
        assert reply.status_code == 200 and kind in reply.headers["Content-Type"], asset
    assert requests.get(base + "/ui/missing.js", timeout=10).status_code == 404
    # The UI reads sandboxes straight from agents, so those reads are open to its origin.
    reply = requests.get(f"{cluster.agent_url}/files/browse?path=/nonexistent", timeout=10)
    assert reply.status_code == 404 and reply.headers.get("Access-Control-Allow-Origin") == "*"


def test_waiting_json_names_refusals_and_suppression(make_cluster, make_framework):
    """`/master/waiting`, the UI's source for why a framework waits, on its own."""
    cluster = make_cluster(master_flags=["--roles=web"])
    base = f"http://{cluster.master_addr}"
    refused = make_framework(cluster.master_addr, start=False, name="wrong-role", role="batch")
    refused.driver.start()
    refusal = wait_for(lambda: requests.get(f"{base}/master/waiting", timeout=5).json()["refused_subscriptions"],
                       20, "the refused subscription")
    assert refusal[0]["name"] == "wrong-role" and refusal[0]["reason"] == "ROLE_NOT_ALLOWED", refusal
    assert refusal[0]["roles"] == ["batch"]

    web = make_framework(cluster.master_addr, name="quiet", role="web")
    web.driver.suppressOffers()

    def reasons():
        listed = requests.get(f"{base}/master/waiting?jsonp=cb", timeout=5)
        assert listed.text.startswith("cb(")
        entry = next(f for f in requests.get(f"{base}/master/waiting", timeout=5).json()["frameworks"]
                     if f["id"] == web.framework_id)
        return [r["reason"] for r in entry["reasons"]]
    wait_for(lambda: "SUPPRESSED" in reasons(), 20, "SUPPRESSED")
