// Issue 22, item 13: the snapshot-signal writers use the least-privileged account that may insert
// signals (the CDC user: INSERT, DELETE on the signal table only), never the master/root password,
// which stays in exactly the resources that need it; the CDC password is a secret input of the
// bootstrap (Pulumi keeps inputs in state, encrypted) while its outputs keep only a hash.
import { strict as assert } from "assert";
import { DOMAINS } from "../components/catalog";
import { StackRun, isSecretInput, plain, runStack } from "./support/harness";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

/** Names of the resources whose inputs carry `value` anywhere. */
function carriers(run: StackRun, value: string): string[] {
    return run.resources.filter((r) => JSON.stringify(plain(r.inputs)).includes(value)).map((r) => `${r.type}::${r.name}`);
}

describe("snapshot-signal writers run as the CDC user (dev, prod, local under mocks)", function () {
    this.timeout(120_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod", "local"]) runs[stack] = await runStack(stack);
    });

    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: each domain's signal writer logs in as the bootstrap's CDC user with its (secret) password`, () => {
            const run = runs[stack];
            const bootstrap = run.ofType(DYNAMIC).find((r) => r.name.endsWith("mysql-bootstrap"))!;
            assert.ok(bootstrap, "the stack runs the SQL bootstrap");
            const signals = run.ofType(DYNAMIC).filter((r) => r.name.endsWith("-snapshot-signal"));
            assert.equal(signals.length, DOMAINS.length);
            for (const s of signals) {
                assert.equal(s.inputs.user, bootstrap.inputs.cdcUser, s.name);
                assert.equal(plain(s.inputs.password), plain(bootstrap.inputs.cdcPassword), s.name);
                assert.ok(isSecretInput(s.inputs.password), `${s.name}: password is secret`);
                assert.ok(!("adminPassword" in s.inputs) && !("adminUser" in s.inputs), `${s.name} still carries the admin account`);
            }
        });

        it(`${stack}: the administrator's password is in the bootstrap (and the server that owns it) only`, () => {
            const run = runs[stack];
            const bootstrap = run.ofType(DYNAMIC).find((r) => r.name.endsWith("mysql-bootstrap"))!;
            const admin = String(plain(bootstrap.inputs.adminPassword));
            assert.ok(admin.length >= 8);
            const owners = carriers(run, admin).filter((c) => !c.includes("mysql-bootstrap"));
            // The RDS instance (cloud) or the MySQL container and its password resource (local) hold it by design.
            assert.deepEqual(owners.filter((c) => !/(rds\/instance:Instance|docker:index\/container:Container::.*-mysql$|random:index\/randomPassword)/.test(c)), [], owners.join(", "));
        });
    }

    it("the bootstrap keeps the CDC password as a secret input (Pulumi stores inputs in state, encrypted)", () => {
        for (const stack of ["dev", "prod"]) {
            const bootstrap = runs[stack].ofType(DYNAMIC).find((r) => r.name.endsWith("mysql-bootstrap"))!;
            assert.ok(isSecretInput(bootstrap.inputs.cdcPassword), stack);
            assert.ok(bootstrap.secretOutputs.includes("cdcPassword"), stack);
        }
    });
});
