// Secrets as the program handles them, not as the provider SDKs mark their own inputs: every
// generated password, API key secret, private key and secret config value may reach the engine
// only inside a secret input (the engine encrypts those in the state), never in a plain input or
// an output. A program that unwraps a secret (an `apply` building a plain string, a value copied
// into a tag, a connector's configNonsensitive, a container's labels...) fails here.
import { strict as assert } from "assert";
import { RecordedResource, StackRun, isSecretInput, plain, readStackConfig, runStack, secretness } from "./support/harness";

/** The recorded inputs with every secret subtree removed: what the engine would store in plain text. */
function plainPart(value: unknown): unknown {
    if (isSecretInput(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(plainPart);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainPart(v)]));
    return value;
}

/** Every secret value of a run: generated (random, tls, API keys) and secret config. */
function secretValues(run: StackRun): { what: string; value: string }[] {
    const found: { what: string; value: string }[] = [];
    for (const r of run.resources) {
        if (r.type === "random:index/randomPassword:RandomPassword") found.push({ what: `${r.name}.result`, value: plain(r.state.result) });
        if (r.type === "confluentcloud:index/apiKey:ApiKey") found.push({ what: `${r.name}.secret`, value: plain(r.state.secret) });
        if (r.type === "tls:index/privateKey:PrivateKey") {
            // The base64 body, which survives PEM reformatting (e.g. the Snowflake connector's one-line key).
            const body = String(plain(r.state.privateKeyPemPkcs8)).split("\n")[1];
            found.push({ what: `${r.name}.privateKeyPemPkcs8`, value: body });
        }
    }
    const config = readStackConfig(run.stack);
    for (const k of config.secretKeys) found.push({ what: `config ${k}`, value: config.values[k] });
    for (const f of found) assert.ok(f.value && f.value.length >= 8, `${run.stack}: ${f.what} has no usable value to look for`);
    return found;
}

async function leaks(run: StackRun): Promise<string[]> {
    const secrets = secretValues(run);
    const problems: string[] = [];
    const scan = (where: string, text: string) => {
        for (const s of secrets) if (text.includes(s.value)) problems.push(`${where} holds ${s.what} in plain text`);
    };
    for (const r of run.resources.filter((x: RecordedResource) => x.custom)) scan(`${r.type}::${r.name}`, JSON.stringify(plainPart(r.inputs)));
    for (const [name, value] of Object.entries(run.outputs)) {
        // A secret output (e.g. the local stack's credentials for the developer) is encrypted in the state.
        if (!(await secretness(run.rawOutputs[name]))) scan(`output ${name}`, JSON.stringify(value));
    }
    return problems;
}

describe("secrets: generated and configured secrets reach the engine only as secrets", () => {
    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: no plain input and no output holds a secret value`, async () => {
            const run = await runStack(stack);
            assert.ok(secretValues(run).length >= 3, "the run generates secrets to look for");
            assert.deepEqual(await leaks(run), []);
        });
    }
});
