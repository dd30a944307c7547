// Every stack as `pulumi preview` of a new stack shows it (dry run: ids and computed outputs
// unknown, applies on them not run) against the update run: the same resources must register,
// or the plan a pull request shows is not what `up` creates. Plus the providers each resource
// is managed by, as the engine would pick them.
import { strict as assert } from "assert";
import { StackRun, isUnknownValue, runStack } from "./support/harness";

describe("preview: what a pull request shows is what up creates", () => {
    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: preview registers the same URNs as the update, and no apply throws on unknowns`, async () => {
            const up = await runStack(stack);
            // Rejects if an apply throws on an unknown (the harness fails the run like the language host).
            const preview = await runStack(stack, { preview: true });
            const upUrns = up.resources.map((r) => r.urn).sort();
            const previewUrns = preview.resources.map((r) => r.urn).sort();
            assert.deepEqual(upUrns.filter((u) => !previewUrns.includes(u)), [], "created by up but not shown by preview (a resource inside an apply?)");
            assert.deepEqual(previewUrns.filter((u) => !upUrns.includes(u)), [], "shown by preview but not created by up");
            assert.ok(preview.resources.filter((r) => r.custom).every((r) => r.id === undefined), "a preview of a new stack knows no ids");
        });
    }

    it("dev: nested computed fields are unknown in preview (the S3 role's trust policy waits for the provider integration)", async () => {
        const preview = await runStack("dev", { preview: true });
        const role = preview.one("aws:iam/role:Role", "lake-sink-role");
        assert.ok(isUnknownValue(role.inputs.assumeRolePolicy), "built from the integration's iamRoleArn and externalId, unknown until it exists");
        const integration = preview.one("confluentcloud:index/providerIntegration:ProviderIntegration", "lake-confluent-integration");
        assert.ok(isUnknownValue(integration.state.aws.iamRoleArn));
        assert.ok(isUnknownValue(integration.state.aws.externalId));
        assert.equal(integration.state.aws.customerRoleArn, integration.inputs.aws.customerRoleArn, "an input echoed back stays known");
    });
});

describe("providers: each resource is managed by the provider the program means", () => {
    const providerOf = (run: StackRun, pkg: string) => [...new Set(run.resources.filter((r) => r.custom && r.type.startsWith(`${pkg}:`) && !r.type.startsWith("pulumi:providers:")).map((r) => r.provider))];

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every Snowflake resource uses the explicit provider with preview features for tables; Grafana resources never the default`, async () => {
            const run = await runStack(stack);
            const [snowflake] = run.ofType("pulumi:providers:snowflake");
            assert.ok(snowflake, "an explicit Snowflake provider");
            assert.deepEqual(providerOf(run, "snowflake"), [snowflake.urn], "no Snowflake resource falls back to the default provider");
            assert.ok(String(snowflake.inputs.previewFeaturesEnabled).includes("snowflake_table_resource"), `previewFeaturesEnabled: ${snowflake.inputs.previewFeaturesEnabled}`);
            const grafana = providerOf(run, "grafana");
            assert.ok(grafana.length > 0 && grafana.every((p) => p && !p.startsWith("default_")), `grafana providers: ${grafana}`);
        });
    }

    it("local: Grafana dashboards go to the local Grafana's explicit provider", async () => {
        const run = await runStack("local");
        const [local] = run.ofType("pulumi:providers:grafana");
        assert.deepEqual(providerOf(run, "grafana"), [local.urn]);
    });
});
