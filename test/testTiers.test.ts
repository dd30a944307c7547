// The two test tiers are decided by file name, so a newcomer needs no list: `*.integration.test.ts`
// (starts real servers or whole tools: MariaDB, promtool, a JVM, the policy analyzer host, a child
// mocha) runs in `npm run test:integration`; every other `*.test.ts` runs in `npm test`.
// `npm run test:all` (the README's test command, which .ci/run runs) runs both. This proves that
// every test file is in exactly one tier as mocha reads the package.json globs, and that
// TEST_TIERS=all (the deploy workflow's evidence report) runs them all.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./support/harness";

// scripts/testTiers.js is plain JavaScript (scripts/test.js loads it before any transpiler).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { mochaGlobs, allTierSpecs } = require("../scripts/testTiers") as {
    mochaGlobs(script: string): { specs: string[]; ignores: string[] };
    allTierSpecs(scripts: Record<string, string>): string[];
};

const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts;

/** The glob forms the scripts use: `**\/` (any folders), `*` (within a name), `{a,b}`. Anything else is refused, not guessed. */
function globRegExp(glob: string): RegExp {
    if (/[?[\]!]/.test(glob)) throw new Error(`glob ${glob}: only **, * and {a,b} are understood here`);
    let re = "";
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (glob.startsWith("**/", i)) {
            re += "(?:[^/]+/)*";
            i += 2;
        } else if (c === "*") re += "[^/]*";
        else if (c === "{") {
            const end = glob.indexOf("}", i);
            re += `(?:${glob.slice(i + 1, end).split(",").map(escape).join("|")})`;
            i = end;
        } else re += escape(c);
    }
    return new RegExp(`^${re}$`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Every `*.test.ts` in the repository (node_modules and dot-folders aside), relative, with `/`. */
function testFiles(dir = REPO_ROOT, out: string[] = []): string[] {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) testFiles(full, out);
        else if (entry.name.endsWith(".test.ts")) out.push(path.relative(REPO_ROOT, full).split(path.sep).join("/"));
    }
    return out;
}

function tierOf(script: string): (file: string) => boolean {
    const { specs, ignores } = mochaGlobs(script);
    const [include, exclude] = [specs.map(globRegExp), ignores.map(globRegExp)];
    return (file) => include.some((r) => r.test(file)) && !exclude.some((r) => r.test(file));
}

describe("test tiers: npm test (fast) and npm run test:integration (real servers and whole tools)", () => {
    it("reads the glob forms the scripts use", () => {
        assert.ok(globRegExp("test/**/*.test.ts").test("test/a.test.ts"));
        assert.ok(globRegExp("test/**/*.test.ts").test("test/x/y/a.test.ts"));
        assert.ok(!globRegExp("test/**/*.test.ts").test("components/a.test.ts"));
        assert.ok(globRegExp("**/*.integration.test.ts").test("test/a.integration.test.ts"));
        assert.ok(!globRegExp("**/*.integration.test.ts").test("test/a.test.ts"));
        assert.ok(globRegExp("{components,test}/**/*.x.ts").test("components/a/b.x.ts"));
        assert.ok(!globRegExp("{components,test}/**/*.x.ts").test("local/b.x.ts"));
        assert.throws(() => globRegExp("test/?.ts"), /only \*\*, \* and \{a,b\}/);
        assert.throws(() => mochaGlobs("mocha --grep x 'a'"), /option --grep/);
        assert.throws(() => mochaGlobs("mocha test/a.ts"), /single-quoted glob/);
    });

    it("every *.test.ts is in exactly one tier, and the tier follows the file name", () => {
        const fast = tierOf(scripts["test:unit"]);
        const integration = tierOf(scripts["test:integration"]);
        const files = testFiles();
        assert.ok(files.length > 50, `found only ${files.length} test files`);
        const wrong = files.flatMap((file) => {
            const tiers = [fast(file) && "npm test", integration(file) && "npm run test:integration"].filter(Boolean);
            const expected = file.endsWith(".integration.test.ts") ? "npm run test:integration" : "npm test";
            return tiers.length === 1 && tiers[0] === expected ? [] : [`${file}: in ${tiers.length ? tiers.join(" and ") : "no tier"}, expected ${expected} only`];
        });
        assert.deepEqual(wrong, []);
    });

    it("TEST_TIERS=all (the evidence report) runs every test file of both tiers in one mocha", () => {
        const all = allTierSpecs(scripts).map(globRegExp);
        const missing = testFiles().filter((file) => !all.some((r) => r.test(file)));
        assert.deepEqual(missing, []);
        const deploy = fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/deploy.yml"), "utf8");
        const step = deploy.slice(deploy.indexOf("- name: npm test (JSON report)"), deploy.indexOf("run: mkdir -p evidence-inputs && npm test"));
        assert.match(step, /TEST_TIERS: all\n/, "deploy.yml's evidence step must report both tiers");
    });

    it("npm test refuses an unknown TEST_TIERS before starting anything", () => {
        const r = spawnSync(process.execPath, ["scripts/test.js"], { cwd: REPO_ROOT, env: { ...process.env, TEST_TIERS: "slow" }, encoding: "utf8" });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /TEST_TIERS must be "fast" or "all", not "slow"/);
    });

    it("npm test runs the fast tier beside the type check; test:all runs both tiers, the Java tests and e2e", () => {
        const testJs = fs.readFileSync(path.join(REPO_ROOT, "scripts/test.js"), "utf8");
        assert.match(testJs, /"test:unit"/);
        assert.match(testJs, /"typecheck"/);
        const all = scripts["test:all"].split("&&").map((s) => s.trim());
        for (const step of ["npm test", "npm run test:integration", "npm run e2e"]) assert.ok(all.includes(step), `test:all lacks ${step}: ${scripts["test:all"]}`);
        assert.ok(all.some((s) => /^mvn .* test$/.test(s)), `test:all lacks mvn test: ${scripts["test:all"]}`);
    });

    it("the CI workflow runs both tiers", () => {
        const ci = fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/ci.yml"), "utf8");
        assert.match(ci, /run: npm test\s*$/m);
        assert.match(ci, /run: npm run test:integration\s*$/m);
        assert.match(fs.readFileSync(path.join(REPO_ROOT, ".ci/run"), "utf8"), /^npm run test:all$/m);
    });
});
