// The README is a map a newcomer can trust: every command, CLI option and repository path it
// names exists; its numbers come from `npm run docs`; one Node requirement, the one package.json
// declares; the Grafana folder named as the program creates it.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, cliScripts, helpOfAll } from "./support/cliScripts";
import { headingAnchor } from "../scripts/docs";
import { runStack } from "./support/harness";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; engines: { node: string } };

/** Text inside `code spans` and ``` fences: where the README names commands and paths. */
function codeTexts(markdown: string): string[] {
    const fences = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
    const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
    return [...fences, ...[...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1])];
}

/** `npm run <script> [-- options]` invocations, with the options each passes to the script. */
export function npmRuns(markdown: string): { script: string; options: string[]; text: string }[] {
    const runs: { script: string; options: string[]; text: string }[] = [];
    for (const text of codeTexts(markdown)) {
        for (const line of text.split("\n")) {
            // One invocation ends where the next command starts (`&&`, `;`, `|`, ` / `, a comment).
            for (const part of line.split(/&&|;|\||\s\/\s|#/)) {
                const m = /\bnpm run(?:\s+--silent|\s+-s)?\s+([\w:.-]+)(.*)$/.exec(part);
                if (!m) continue;
                const args = m[2].includes(" -- ") || m[2].startsWith(" -- ") || /\[--\s/.test(m[2]) ? m[2].slice(m[2].indexOf("--") + 2) : "";
                runs.push({ script: m[1], options: [...args.matchAll(/(?:^|[\s[])(--[a-z][\w-]*)/g)].map((o) => o[1]), text: part.trim() });
            }
        }
    }
    return runs;
}

/** Repository paths the README names in code spans or links (globs and `<placeholders>` allowed). */
export function namedPaths(markdown: string): string[] {
    const roots = /^(components|local|scripts|sql|policy|test|docs|\.github|\.ci|streams|e2e)\/|^(index\.ts|package\.json|Pulumi(\.[\w<>]+)?\.yaml)$/;
    const candidates = [
        ...[...markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "").matchAll(/`([^`\s]+)`/g)].map((m) => m[1]),
        ...[...markdown.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l)),
    ];
    return [...new Set(candidates.map((c) => c.replace(/[.,:;)]+$/, "")).filter((c) => roots.test(c)))];
}

/** Whether a path (with `*`, `###`, `<placeholder>`) names at least one file or folder of the repository. */
export function pathExists(pattern: string, root = REPO_ROOT): boolean {
    const parts = pattern.replace(/\/$/, "").split("/");
    const walk = (dir: string, i: number): boolean => {
        if (i === parts.length) return true;
        const part = parts[i];
        if (!/[*<#]/.test(part)) return fs.existsSync(path.join(dir, part)) && walk(path.join(dir, part), i + 1);
        const re = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/#/g, "\\d").replace(/<[^>]+>/g, "[^/]+")}$`);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return false;
        return fs.readdirSync(dir).some((entry) => re.test(entry) && walk(path.join(dir, entry), i + 1));
    };
    return walk(root, 0);
}

/** Paths the recipes tell the reader to create (examples, not files of this repository). */
const FILES_THE_READER_WRITES = ["sql/mysql/lims/V002__add_sample_storage_condition.sql"];
/** Git-ignored folders a command creates when it runs (the README says so where it names them). */
const CREATED_WHEN_RUN = ["e2e/.cache"];

describe("README: a map a newcomer can trust", function () {
    this.timeout(180_000);

    it("every `npm run <script>` it names is a package.json script", () => {
        const runs = npmRuns(README);
        assert.ok(runs.length > 10, `found ${runs.length} invocations`);
        const missing = runs.filter((r) => !(r.script in pkg.scripts)).map((r) => r.text);
        assert.deepEqual(missing, [], "README commands without a package.json script");
    });

    it("every option it passes to a project CLI is one that CLI declares (its --help lists it)", async () => {
        const scripts = cliScripts(pkg);
        const help = await helpOfAll(scripts);
        const unknown: string[] = [];
        for (const run of npmRuns(README)) {
            const usage = help.get(run.script);
            if (!usage) continue; // not a project CLI (tsc, mocha, stryker)
            for (const option of run.options) if (!new RegExp(`(^|[\\s,])${option}\\b`, "m").test(usage.stdout)) unknown.push(`${option} in \`${run.text}\``);
        }
        assert.deepEqual(unknown, []);
    });

    it("every repository path it names exists", () => {
        const paths = namedPaths(README);
        assert.ok(paths.length > 20, `found ${paths.length} paths`);
        assert.deepEqual(paths.filter((p) => !pathExists(p) && !FILES_THE_READER_WRITES.includes(p) && !CREATED_WHEN_RUN.includes(p)), []);
        // The checks themselves: a placeholder or glob must match a real entry.
        assert.ok(pathExists("sql/mysql/<domain>/V###__*.sql") && pathExists("Pulumi.prod.yaml") && pathExists("docs/"));
        assert.ok(!pathExists("sql/mysql/<domain>/V####__*.sql") && !pathExists("scripts/nope.ts"));
    });

    it("finds the options of an invocation, bracketed or not", () => {
        assert.deepEqual(npmRuns("`npm run bench [-- --sizes 4,40 --no-startup]` and `npm run plan -- --stack prod && npm run docs`"), [
            { script: "bench", options: ["--sizes", "--no-startup"], text: "npm run bench [-- --sizes 4,40 --no-startup]" },
            { script: "plan", options: ["--stack"], text: "npm run plan -- --stack prod" },
            { script: "docs", options: [], text: "npm run docs" },
        ]);
    });

    it("migrations are named the one way they are laid out: sql/mysql/<domain>/V###__*.sql", () => {
        assert.ok(README.includes("sql/mysql/<domain>/V###__*.sql"));
        const other = [...README.matchAll(/sql\/mysql\/[^\s`)]*\*[^\s`)]*/g)].map((m) => m[0]).filter((p) => p !== "sql/mysql/<domain>/V###__*.sql");
        assert.deepEqual(other, []);
    });

    it("states one Node requirement, the one package.json declares", () => {
        // ">=20.19.0 <21 || >=22.12.0" -> "Node.js 20.19+ or 22.12+"
        const versions = pkg.engines.node.split("||").map((range) => /(\d+)\.(\d+)/.exec(range)!.slice(1, 3).join("."));
        const requirement = `Node.js ${versions.map((v) => `${v}+`).join(" or ")}`;
        assert.ok(README.includes(requirement), `README states "${requirement}"`);
        // Any other "Node <version>" must describe a measurement ("Figures on …, Node 20.20.2"), not a requirement.
        const others = README.split("\n")
            .filter((line) => !/\bFigures on\b/.test(line))
            .flatMap((line) => [...line.matchAll(/\bNode(?:\.js)? \*{0,2}v?\d+[\d.+]*(?: \(or [\d.+]+\))?/g)].map((m) => m[0]))
            .filter((m) => !requirement.startsWith(m.replace(/\*/g, "")));
        assert.deepEqual(others, []);
    });

    it("has a table of contents linking every section (npm run docs writes it)", () => {
        const sections = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((s) => s !== "Contents");
        const toc = /^## Contents\n\n((?:- .+\n)+)/m.exec(README);
        assert.ok(toc, "a '## Contents' list after the introduction");
        for (const s of sections) assert.ok(toc![1].includes(`](${headingAnchor(s)})`), `Contents links ${s} as ${headingAnchor(s)}: run \`npm run docs\``);
    });

    it("shows the generated architecture picture", () => {
        assert.match(README, /!\[[^\]]+\]\(docs\/architecture\.svg\)/);
    });

    it("names the Grafana folder as the program creates it", async () => {
        const run = await runStack("dev");
        const [folder] = run.ofType("grafana:oss/folder:Folder");
        assert.equal(folder.inputs.title, "lifesci-dev streaming platform");
        assert.ok(README.includes("folder `lifesci-<stack> streaming platform`"), "README names the folder lifesci-<stack> streaming platform");
    });
});
