// The Connect image's pins are checked before `pulumi up` starts anything.
import { strict as assert } from "assert";
import { checkPrerequisites, localCleanupHint, pluginPinProblems } from "./prerequisites";
import { connectPluginDownloads } from "./versions";

const downloads = connectPluginDownloads();
const line = (file: string) => `${"ab".repeat(32)}  ${file}`;
const pins = (pinned: string) => ({ downloads, pinFile: "local/images/connect/plugins.sha256", pinned });

describe("local prerequisites: Connect plugin pins", () => {
    it("an empty pin file is a problem naming every download and the fix", () => {
        const [problem, ...more] = pluginPinProblems(pins(""));
        assert.equal(more.length, 0);
        assert.match(problem.what, /^local\/images\/connect\/plugins\.sha256 is empty: /);
        for (const d of downloads) assert.ok(problem.what.includes(`${d.file} (${d.url})`), d.file);
        assert.match(problem.fix, /npm run local:pin-plugins/);
    });

    it("pins for some downloads only (e.g. Maven Central pinned, Confluent Hub not) name the unpinned ones", () => {
        const maven = downloads.filter((d) => d.url.includes("maven"));
        const hub = downloads.filter((d) => !d.url.includes("maven"));
        assert.ok(maven.length > 0 && hub.length > 0);
        const [problem] = pluginPinProblems(pins(`${maven.map((d) => line(d.file)).join("\n")}\n`));
        assert.match(problem.what, new RegExp(`has no SHA-256 for ${hub.length} of the ${downloads.length} files`));
        for (const d of hub) assert.ok(problem.what.includes(d.file), d.file);
        for (const d of maven) assert.ok(!problem.what.includes(d.file), d.file);
    });

    it("a malformed line pins nothing; every download pinned is no problem", () => {
        assert.equal(pluginPinProblems(pins(downloads.map((d) => `abc  ${d.file}`).join("\n"))).length, 1);
        assert.deepEqual(pluginPinProblems(pins(`${downloads.map((d) => line(d.file)).join("\n")}\n`)), []);
    });

    it("checkPrerequisites reports missing pins with the other problems (before anything starts)", async () => {
        const probe = {
            dockerServerVersion: async () => ({ version: "27.3.1" }),
            portFree: async () => true,
            portsHeldByStack: async () => new Set<number>(),
            pulumiVersion: async () => "3.248.0",
            installPulumi: async (v: string) => v,
        };
        const report = await checkPrerequisites(probe, { ports: {}, pulumiVersion: "3.248.0", pulumiInstallDir: "/x", connectPlugins: pins("") });
        assert.equal(report.problems.length, 1);
        assert.match(report.problems[0].what, /plugins\.sha256 is empty/);
        assert.deepEqual((await checkPrerequisites(probe, { ports: {}, pulumiVersion: "3.248.0", pulumiInstallDir: "/x" })).problems, []);
    });

    it("the clean-up hint removes what the stack named, then the state", () => {
        const hint = localCleanupHint("lifesci-local", ".pulumi/local-state");
        assert.match(hint, /docker rm -f \$\(docker ps -aq --filter name=\^lifesci-local-\)/);
        assert.match(hint, /docker volume rm \$\(docker volume ls -q --filter name=\^lifesci-local-\)/);
        assert.match(hint, /docker network rm lifesci-local\n/);
        assert.match(hint, /npm run local:down.*rm -rf \.pulumi\/local-state/);
    });
});
