// The wall's watchdog. It runs in the browser on its own, so it keeps working while the Blazor
// circuit is down: it shows "Live" while heartbeats arrive, "Connection lost, last update hh:mm:ss"
// when they stop, and reloads the page once the server answers again but the circuit has not come
// back (after a restart the old circuit cannot be resumed). It also hides the idle cursor.
const staleAfterMs = 4000;
const reloadAfterServerUpMs = 12000;
const probeEveryMs = 3000;
const cursorIdleMs = 3000;

function createWatchdog() {
    const startedAt = Date.now();
    let lastBeat = 0;
    let serverUpSince = 0;
    let lastProbe = 0;
    let probing = false;
    let cursorTimer = 0;

    const clock = at => new Date(at).toLocaleTimeString("en-GB", { hour12: false });

    function render() {
        const status = document.getElementById("wall-status");
        if (!status) {
            return;
        }
        const live = lastBeat !== 0 && Date.now() - lastBeat <= staleAfterMs;
        let text;
        if (live) {
            text = "Live";
        } else if (lastBeat === 0 && Date.now() - startedAt <= staleAfterMs * 4) {
            text = "Connecting…";
        } else {
            text = lastBeat === 0 ? "Connection lost" : `Connection lost, last update ${clock(lastBeat)}`;
        }
        if (status.textContent !== text) {
            status.textContent = text;
        }
        status.classList.toggle("live", live);
        status.classList.toggle("lost", !live);
    }

    async function probe() {
        if (probing || Date.now() - lastProbe < probeEveryMs) {
            return;
        }
        probing = true;
        lastProbe = Date.now();
        try {
            const response = await fetch(location.href, { cache: "no-store" });
            if (!response.ok) {
                serverUpSince = 0;
            } else if (serverUpSince === 0) {
                serverUpSince = Date.now();
            } else if (Date.now() - serverUpSince >= reloadAfterServerUpMs) {
                location.reload();
            }
        } catch {
            serverUpSince = 0;
        } finally {
            probing = false;
        }
    }

    function tick() {
        render();
        const stale = lastBeat === 0 ? Date.now() - startedAt > staleAfterMs * 4 : Date.now() - lastBeat > staleAfterMs;
        if (stale) {
            probe();
        } else {
            serverUpSince = 0;
        }
    }

    function showCursor() {
        document.documentElement.classList.remove("wall-cursor-hidden");
        clearTimeout(cursorTimer);
        cursorTimer = setTimeout(() => document.documentElement.classList.add("wall-cursor-hidden"), cursorIdleMs);
    }

    document.documentElement.classList.add("wall-screen");
    document.addEventListener("mousemove", showCursor);
    showCursor();
    const timer = setInterval(tick, 1000);
    tick();

    return {
        beat() {
            lastBeat = Date.now();
            render();
        },
        // Leaving the wall within the app (the browser's Back after the navigation drawer's link): the
        // next page gets its cursor, its reconnect dialog and its colours back, and is never reloaded.
        stop() {
            clearInterval(timer);
            clearTimeout(cursorTimer);
            document.removeEventListener("mousemove", showCursor);
            document.documentElement.classList.remove("wall-screen", "wall-cursor-hidden");
        },
    };
}

// One watchdog per page, whether the module came from the page's script tag or from the component.
window.dashboardWall ??= createWatchdog();

export function beat() {
    // A module runs once per document: coming back to the wall within the app starts a new watchdog here.
    (window.dashboardWall ??= createWatchdog()).beat();
}

export function stop() {
    window.dashboardWall?.stop();
    window.dashboardWall = undefined;
}
