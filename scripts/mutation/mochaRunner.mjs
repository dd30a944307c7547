// A Stryker 9 test runner that runs mocha 12 inside one long-lived worker process: Stryker's own
// mocha runner does not support mocha 12, and the command runner starts node, ts-node and every
// dependency again for each mutant (about 1.5 s of CPU each here, 20x a run in process).
// Per run it drops the sandbox's own modules from the require cache (node_modules stay loaded),
// activates the mutant, and loads the spec files again, so static mutants (module-level tables)
// are as live as runtime ones. Options (stryker config key `mochaInProcess`): spec (files),
// grep and invert (mocha's). Only for pure test files: no servers, no Pulumi mock engine.
import { createRequire } from "module";
import path from "path";
import { PluginKind, declareClassPlugin, commonTokens } from "@stryker-mutator/api/plugin";
import { DryRunStatus, MutantRunStatus, TestStatus } from "@stryker-mutator/api/test-runner";

/** Stops a mutant that loops: the instrumented code throws after this many hits of the active mutant. */
const HIT_LIMIT = 1_000_000;

class MochaInProcessRunner {
    static inject = [commonTokens.options];

    constructor(options) {
        this.settings = options.mochaInProcess ?? {};
        if (!Array.isArray(this.settings.spec) || this.settings.spec.length === 0) {
            throw new Error("mochaInProcess.spec: list the test files of the module under mutation");
        }
    }

    capabilities() {
        return { reloadEnvironment: true };
    }

    /** Stryker does not always call init() in the worker: loaded on first use. */
    load() {
        if (this.Mocha) return;
        // ts-node and mocha as the sandbox resolves them (its node_modules links to the project's).
        this.require = createRequire(path.join(process.cwd(), "package.json"));
        this.require("ts-node/register");
        this.Mocha = this.require("mocha/lib/mocha.cjs");
    }

    async dryRun(options) {
        const tests = await this.run(undefined, options);
        return tests.error ? { status: DryRunStatus.Error, errorMessage: tests.error } : { status: DryRunStatus.Complete, tests: tests.results };
    }

    async mutantRun(options) {
        const { results, error } = await this.run(options.activeMutant.id, options);
        if (error) return { status: /Hit count limit reached/.test(error) ? MutantRunStatus.Timeout : MutantRunStatus.Error, errorMessage: error };
        const failed = results.filter((t) => t.status === TestStatus.Failed);
        if (failed.some((t) => /Hit count limit reached/.test(t.failureMessage))) return { status: MutantRunStatus.Timeout, reason: "hit limit" };
        if (failed.length > 0) {
            return { status: MutantRunStatus.Killed, killedBy: failed.map((t) => t.id), failureMessage: failed[0].failureMessage, nrOfTests: results.length };
        }
        return { status: MutantRunStatus.Survived, nrOfTests: results.length };
    }

    /** One mocha run with `mutantId` active (undefined: the dry run). */
    run(mutantId, { timeout, disableBail }) {
        this.load();
        const sandbox = process.cwd() + path.sep;
        const cache = this.require.cache;
        for (const file of Object.keys(cache)) {
            if (file.startsWith(sandbox) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete cache[file];
        }
        const ns = (globalThis.__stryker__ ??= {});
        ns.activeMutant = mutantId;
        ns.hitCount = mutantId === undefined ? undefined : 0;
        ns.hitLimit = mutantId === undefined ? undefined : HIT_LIMIT;
        const mocha = new this.Mocha({
            reporter: this.Mocha.reporters.Base,
            timeout,
            bail: !disableBail,
            grep: this.settings.grep,
            invert: this.settings.invert === true,
        });
        for (const file of this.settings.spec) mocha.addFile(path.resolve(file));
        const results = [];
        return new Promise((resolve) => {
            try {
                const runner = mocha.run(() => {
                    mocha.dispose();
                    resolve({ results });
                });
                const record = (status) => (test, err) =>
                    results.push({
                        id: test.fullTitle(),
                        name: test.fullTitle(),
                        timeSpentMs: test.duration ?? 0,
                        status,
                        ...(status === TestStatus.Failed ? { failureMessage: String(err?.message ?? err) } : {}),
                    });
                runner.on("pass", record(TestStatus.Success));
                runner.on("fail", record(TestStatus.Failed));
                runner.on("pending", record(TestStatus.Skipped));
            } catch (err) {
                // A mutant that throws while the spec files load (a static mutant): the tests cannot even start.
                try {
                    mocha.dispose();
                } catch {
                    /* already disposed */
                }
                const message = String(err?.stack ?? err);
                resolve(mutantId === undefined ? { error: message } : { results: [{ id: "(loading the spec files)", name: "load", timeSpentMs: 0, status: TestStatus.Failed, failureMessage: message }] });
            }
        });
    }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, "mocha-inprocess", MochaInProcessRunner)];
