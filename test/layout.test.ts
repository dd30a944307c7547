// The folder tree is the architecture: imports run one way (index.ts -> platform.ts / local/ ->
// feature folders -> catalog, config, sqlTypes, ddl, sqlText), and feature folders reach each
// other only through their index.ts, or through their pure.ts: the pure side (no resources, no
// Pulumi SDK) that command-line programs load without paying for the SDK.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const FEATURES = ["source", "streaming", "ksql", "streams", "sinks", "monitoring"];
const GROUND = ["components/catalog.ts", "components/sqlTypes.ts", "components/ddl.ts", "components/sqlText.ts", "components/config/"];

function sources(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "images" ? [] : sources(rel);
        return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [rel] : [];
    });
}

/** Repository-relative targets of a file's relative imports (`x` for x.ts, `x/` for a folder index). */
function importsOf(file: string): { spec: string; target: string }[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return [...text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]*)"/g)].map(([, spec]) => {
        const resolved = path.normalize(path.join(path.dirname(file), spec));
        const isDir = fs.existsSync(path.join(ROOT, resolved)) && fs.statSync(path.join(ROOT, resolved)).isDirectory();
        return { spec, target: isDir ? `${resolved}/` : `${resolved.replace(/\/index$/, "/")}${resolved.endsWith("/index") ? "" : ".ts"}` };
    });
}

/** Problems of one file's imports under the layering rules; empty when it follows them. */
export function layeringProblems(file: string, imports: { spec: string; target: string }[]): string[] {
    const problems: string[] = [];
    const folderOf = (p: string) => /^components\/([a-z]+)\//.exec(p)?.[1];
    for (const { spec, target } of imports) {
        const where = `${file} imports "${spec}"`;
        if (file.startsWith("components/")) {
            if (target === "components/platform.ts" || /^(local|scripts|test)\//.test(target)) problems.push(`${where}: components never import platform.ts, local/, scripts/ or test/`);
        }
        if (file.startsWith("local/") && /^(scripts|test)\//.test(target)) problems.push(`${where}: local/ never imports scripts/ or test/`);
        if (GROUND.some((g) => file === g || (g.endsWith("/") && file.startsWith(g)))) {
            if (FEATURES.some((f) => target.startsWith(`components/${f}/`))) problems.push(`${where}: the ground (catalog, config, sqlTypes, ddl, sqlText) never imports a feature folder`);
        }
        const targetFolder = folderOf(target);
        const entries = [`components/${targetFolder}/`, `components/${targetFolder}/pure.ts`];
        if (targetFolder && FEATURES.includes(targetFolder) && folderOf(file) !== targetFolder && !entries.includes(target)) {
            problems.push(`${where}: reach another feature folder through its index ("components/${targetFolder}") or its pure side ("components/${targetFolder}/pure")`);
        }
    }
    return problems;
}

/** Packages a module loads at run time, through its relative imports (type-only imports load nothing). */
function runtimePackages(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const text = fs.readFileSync(path.join(ROOT, file), "utf8").replace(/^import type [^;]*;$/gm, "");
    const packages = [...text.matchAll(/(?:from|import|require)\s*\(?\s*"([^."][^"]*)"/g)].map(([, spec]) => spec);
    const local = importsOf(file)
        .filter(({ spec }) => text.includes(`"${spec}"`))
        .map(({ target }) => (target.endsWith("/") ? `${target}index.ts` : target))
        .filter((target) => fs.existsSync(path.join(ROOT, target)));
    return [...packages, ...local.flatMap((target) => runtimePackages(target, seen))];
}

describe("layout: imports run one way", () => {
    const files = ["index.ts", ...sources("components"), ...sources("local"), ...sources("scripts")];

    it("every module follows the layering rules", () => {
        assert.ok(files.length > 40, `found ${files.length} modules`);
        assert.deepEqual(files.flatMap((f) => layeringProblems(f, importsOf(f))), []);
    });

    it("each feature folder has an index.ts, and the tree lists the data path top to bottom", () => {
        for (const f of FEATURES) assert.ok(fs.existsSync(path.join(ROOT, "components", f, "index.ts")), `components/${f}/index.ts`);
    });

    it("a feature folder's pure.ts loads no Pulumi SDK or provider, however deep", () => {
        const pure = FEATURES.map((f) => `components/${f}/pure.ts`).filter((f) => fs.existsSync(path.join(ROOT, f)));
        assert.ok(pure.length >= 2, `pure sides: ${pure.join(", ")}`);
        for (const file of pure) assert.deepEqual(runtimePackages(file).filter((p) => p.startsWith("@pulumi/")), [], file);
        // The check sees through re-exports: the index of a folder with resources is not pure.
        assert.ok(runtimePackages("components/source/index.ts").some((p) => p.startsWith("@pulumi/")));
    });

    it("the rules catch each kind of wrong import", () => {
        assert.match(layeringProblems("components/sinks/lake.ts", [{ spec: "../platform", target: "components/platform.ts" }])[0], /never import platform.ts/);
        assert.match(layeringProblems("components/ksql/ksqlDb.ts", [{ spec: "../../local/x", target: "local/x.ts" }])[0], /never import/);
        assert.match(layeringProblems("components/catalog.ts", [{ spec: "./source", target: "components/source/" }])[0], /ground/);
        assert.match(layeringProblems("components/sinks/sinks.ts", [{ spec: "../source/cdcConnectors", target: "components/source/cdcConnectors.ts" }])[0], /through its index/);
        assert.deepEqual(layeringProblems("components/sinks/sinks.ts", [{ spec: "../source", target: "components/source/" }, { spec: "./lake", target: "components/sinks/lake.ts" }]), []);
        assert.deepEqual(layeringProblems("scripts/preflight.ts", [{ spec: "../components/source/pure", target: "components/source/pure.ts" }]), []);
    });
});
