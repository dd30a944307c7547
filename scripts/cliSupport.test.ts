// The shared argument parser: typed values, the same --help everywhere, one-line usage errors.
import { strict as assert } from "assert";
import { HelpShown, MYSQL_ENDPOINT_OPTIONS, UsageError, cliHelp, defineCli, parseCli, runInProcess } from "./cliSupport";

const CLI = defineCli({
    name: "npm run thing --",
    summary: "Does the thing.",
    options: {
        stack: { type: "string", value: "name", default: "dev", description: "stack to use" },
        url: { type: "string", value: "url", description: "server" },
        json: { type: "boolean", description: "print JSON" },
        startup: { type: "boolean", default: true, description: "skip the start-up run" },
        mode: { type: "string", choices: ["a", "b"], description: "a or b" },
        child: { type: "boolean", hidden: true, description: "internal" },
    },
    arguments: [{ name: "command", choices: ["up", "down"], default: "up", description: "what to do" }],
    exitCodes: { 0: "ok", 1: "check failed", 2: "usage error" },
});

const usageError = (argv: string[], message: RegExp) =>
    assert.throws(
        () => parseCli(CLI, argv),
        (err: Error) => {
            assert.ok(err instanceof UsageError, `${err.constructor.name}: ${err.message}`);
            assert.match(err.message, message);
            assert.doesNotMatch(err.message, /\n/, "one line");
            return true;
        },
    );

describe("cliSupport: one argument parser for every CLI", () => {
    it("parses typed values keyed by the long option name, with defaults", () => {
        assert.deepEqual(parseCli(CLI, []), { values: { stack: "dev", json: false, startup: true, child: false }, args: ["up"] });
        const { values, args } = parseCli(CLI, ["down", "--stack", "prod", "--url=mysql://x", "--json", "--no-startup", "--mode", "b"]);
        assert.deepEqual(values, { stack: "prod", url: "mysql://x", json: true, startup: false, mode: "b", child: false });
        assert.deepEqual(args, ["down"]);
    });

    it("-h and --help throw HelpShown with the usage: every visible option, the arguments and the exit codes", () => {
        for (const flag of ["--help", "-h"]) {
            assert.throws(
                () => parseCli(CLI, ["--stack", "prod", flag]),
                (err: Error) => {
                    assert.ok(err instanceof HelpShown);
                    const text = (err as HelpShown).text;
                    assert.match(text, /^Usage: npm run thing -- \[options\] \[command\]\n/);
                    for (const flagText of ["--stack <name>", "--url <url>", "--json", "--no-startup", "--mode <value>", "-h, --help"]) assert.ok(text.includes(flagText), `${flagText} in\n${text}`);
                    assert.ok(!text.includes("--child"), "hidden options stay out of the help");
                    assert.match(text, /Exit codes:\n {2}0 {2}ok\n {2}1 {2}check failed\n {2}2 {2}usage error/);
                    assert.equal(text, cliHelp(CLI));
                    return true;
                },
            );
        }
    });

    it("refuses unknown options (with a suggestion), missing values, bad choices and extra arguments in one line", () => {
        usageError(["--stak", "prod"], /^unknown option '--stak' \(Did you mean --stack\?\) \(see --help\)$/);
        usageError(["--stack"], /option '--stack <name>' argument missing/);
        usageError(["--mode", "c"], /'c' is invalid.*a, b/);
        usageError(["sideways"], /'sideways' is invalid/);
        usageError(["up", "extra"], /too many arguments/);
    });

    it("a variadic last argument lists each value in args, checked against its choices", () => {
        const modules = defineCli({ name: "x", summary: "y", options: {}, arguments: [{ name: "module", variadic: true, choices: ["a", "b"], description: "m" }] });
        assert.deepEqual(parseCli(modules, []).args, []);
        assert.deepEqual(parseCli(modules, ["b", "a"]).args, ["b", "a"]);
        assert.throws(() => parseCli(modules, ["a", "c"]), (err: Error) => err instanceof UsageError && /'c' is invalid.*a, b/.test(err.message));
        assert.match(cliHelp(modules), /^Usage: x \[options\] \[module\.\.\.\]$/m);
    });

    it("runInProcess: what runCli would print and exit with (help on stdout exit 0, one error line exit 2)", async () => {
        const main = async (argv: string[], write: (t: string) => Promise<void>) => {
            const { values } = parseCli(CLI, argv);
            if (values.url === "mysql://down") throw new Error("cannot reach MySQL at down:3306");
            if (values.url === "mysql://usage") throw new UsageError("--url: do not put the password in the URL");
            await write(`stack ${values.stack}\n`);
            return values.json ? 1 : 0;
        };
        assert.deepEqual(await runInProcess((w) => main(["--stack", "prod"], w)), { code: 0, stdout: "stack prod\n", stderr: "" });
        assert.deepEqual(await runInProcess((w) => main(["--json"], w)), { code: 1, stdout: "stack dev\n", stderr: "" });
        assert.deepEqual(await runInProcess((w) => main(["--help"], w)), { code: 0, stdout: cliHelp(CLI), stderr: "" });
        assert.deepEqual(await runInProcess((w) => main(["--url", "mysql://usage"], w)), { code: 2, stdout: "", stderr: "error: --url: do not put the password in the URL\n" });
        assert.deepEqual(await runInProcess((w) => main(["--url", "mysql://down"], w)), { code: 2, stdout: "", stderr: "error: cannot reach MySQL at down:3306\n" });
        assert.deepEqual(await runInProcess((w) => main(["--stak", "x"], w)), { code: 2, stdout: "", stderr: "error: unknown option '--stak' (Did you mean --stack?) (see --help)\n" });
    });

    it("the MySQL endpoint options offer every TLS mode", () => {
        const text = cliHelp(defineCli({ name: "x", summary: "y", options: MYSQL_ENDPOINT_OPTIONS }));
        for (const mode of ["verify_identity", "verify_ca", "insecure", "disabled"]) assert.ok(text.includes(`"${mode}"`), mode);
        assert.throws(() => parseCli(defineCli({ name: "x", summary: "y", options: MYSQL_ENDPOINT_OPTIONS }), ["--tls", "on"]), /--tls <mode>.*'on' is invalid/);
    });
});
