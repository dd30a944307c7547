// The mock engine behaves like Pulumi's engine where it decides what preview and up do: URNs,
// providers, protect, dependencies, and a preview (dry run with unknowns) that registers the
// same resources as the update. First on a tiny program made for each behaviour, then on the
// real stacks.
import { strict as assert } from "assert";
import * as path from "path";
import { StackRun, UNKNOWN_OUTPUT, runStack } from "./support/harness";

const PROGRAM = path.join(__dirname, "fixtures", "engine-program");
const urn = (chain: string, name: string) => `urn:pulumi:test::lifesci-streaming::${chain}::${name}`;
const RS = "random:index/randomString:RandomString";

function byUrn(run: StackRun, u: string) {
    const r = run.resources.find((x) => x.urn === u);
    assert.ok(r, `no resource ${u}; have:\n${run.resources.map((x) => x.urn).join("\n")}`);
    return r;
}

describe("mock engine: behaves like the engine (tiny program)", () => {
    let up: StackRun;
    before(async () => {
        up = await runStack("test", { programDir: PROGRAM, fresh: true });
    });

    it("identifies resources by URN: the whole parent type chain, so one name under two parents stays two resources", () => {
        const same = up.resources.filter((r) => r.type === RS && r.name === "same").map((r) => r.urn).sort();
        assert.deepEqual(same, [urn(`test:index:Box$${RS}`, "same"), urn(`test:index:Shelf$test:index:Box$${RS}`, "same")]);
        assert.equal(new Set(up.resources.map((r) => r.urn)).size, up.resources.length, "URNs are unique");
        assert.equal(byUrn(up, urn("test:index:Box", "a")).parentUrn, "urn:pulumi:test::lifesci-streaming::pulumi:pulumi:Stack::lifesci-streaming-test");
    });

    it("refuses a duplicate URN like the engine (same type chain and name under another parent of the same type)", async () => {
        await assert.rejects(
            runStack("test", { programDir: PROGRAM, set: { "lifesci-streaming:duplicate": "true" }, fresh: true }),
            /Duplicate resource URN 'urn:pulumi:test::lifesci-streaming::test:index:Box\$random:index\/randomString:RandomString::same'/,
        );
    });

    it("records the provider: explicit provider URN, or the package's default", () => {
        assert.equal(byUrn(up, urn(RS, "with-provider")).provider, urn("pulumi:providers:random", "explicit"));
        assert.equal(byUrn(up, urn(RS, "after-a")).provider, "default_random");
    });

    it("inherits protect from the parent, as the engine receives it", () => {
        assert.deepEqual(up.resources.filter((r) => r.type === RS && r.protect).map((r) => r.name), ["b-child"], "only b's child");
        assert.equal(byUrn(up, urn("test:index:Box", "b")).protect, true);
        assert.equal(byUrn(up, urn(RS, "after-a")).protect, false);
    });

    it("expands dependsOn on a component to its children, and adds dependencies carried by inputs", () => {
        const afterA = byUrn(up, urn(RS, "after-a"));
        const aChild = up.resources.find((r) => r.name === "same" && r.parentUrn === urn("test:index:Box", "a"))!;
        assert.ok(afterA.dependencies.includes(aChild.urn), `after-a waits for a's child: ${afterA.dependencies}`);
        assert.deepEqual(afterA.dependsOn, ["test:index:Box::a"], "as the program wrote it");
        const usesOutput = byUrn(up, urn(RS, "uses-output"));
        assert.ok(usesOutput.dependencies.includes(afterA.urn), "an input's output carries its resource");
        assert.deepEqual(usesOutput.propertyDependencies.overrideSpecial, [afterA.urn]);
    });

    it("preview: ids and computed outputs are unknown, and the same URNs register as in the update", async () => {
        const preview = await runStack("test", { programDir: PROGRAM, preview: true, fresh: true });
        assert.deepEqual(preview.resources.map((r) => r.urn).sort(), up.resources.map((r) => r.urn).sort());
        assert.equal(byUrn(preview, urn(RS, "after-a")).id, undefined);
        assert.deepEqual(preview.outputs.childIds, [UNKNOWN_OUTPUT, UNKNOWN_OUTPUT]);
        assert.deepEqual(
            (up.outputs.childIds as string[]).map((id) => typeof id),
            ["string", "string"],
        );
    });

    it("preview: a resource created inside an apply is missing, so the comparison catches it", async () => {
        const set = { "lifesci-streaming:hideInApply": "true" };
        const [hiddenUp, hiddenPreview] = [await runStack("test", { programDir: PROGRAM, set, fresh: true }), await runStack("test", { programDir: PROGRAM, set, preview: true, fresh: true })];
        const missing = hiddenUp.resources.map((r) => r.urn).filter((u) => !hiddenPreview.resources.some((p) => p.urn === u));
        assert.deepEqual(missing, [urn(RS, "hidden")]);
    });
});
