// The tests' MariaDB: the throwaway server of scripts/checks/throwawayMariaDb.ts, one per run.
import { MariaDb, startMariaDb } from "../../scripts/checks/throwawayMariaDb";

export { INSTALL_HINT, startMariaDb } from "../../scripts/checks/throwawayMariaDb";
export type { MariaDb } from "../../scripts/checks/throwawayMariaDb";

let shared: Promise<MariaDb> | undefined;

/** One server for the whole test run, stopped after the last test. */
export function sharedMariaDb(): Promise<MariaDb> {
    shared ??= startMariaDb();
    return shared;
}

// Root-level hook: runs once after every test file has finished.
after(async () => {
    if (shared) await (await shared).stop();
});
