// Runs the policy pack (policy/, its own package) the way `pulumi preview --policy-pack policy`
// does: @pulumi/pulumi's run-policy-pack host loads the pack, @pulumi/policy serves the analyzer
// over gRPC, and the engine sends every resource (`Analyze`, with its inputs) and then the whole
// stack (`AnalyzeStack`, with its state) as URN, type, properties, options, provider, parent and
// dependencies. Here the resources are the ones a mock-engine run recorded.
import type { ChildProcess } from "child_process";
import * as path from "path";
import { REPO_ROOT, RecordedResource, StackRun } from "../../scripts/mockEngine";
import { startPluginProcess } from "./pluginProcess";

const PACK_DIR = path.join(REPO_ROOT, "policy");
// The pack's own copies: the analyzer speaks the protocol of the SDK the pack was built with.
/* eslint-disable @typescript-eslint/no-require-imports */
const packRequire = (id: string) => require(require.resolve(id, { paths: [PACK_DIR] }));
const grpc = packRequire("@grpc/grpc-js");
const analyzerproto = packRequire("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = packRequire("@pulumi/pulumi/proto/analyzer_grpc_pb");
const structproto = packRequire("google-protobuf/google/protobuf/struct_pb");
const emptyproto = packRequire("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */
const HOST_SCRIPT = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });

export interface Diagnostic {
    policy: string;
    level: "advisory" | "mandatory" | "disabled" | "remediate";
    urn: string;
    message: string;
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

/** A resource as the analyzer receives it. */
export interface AnalyzedResource {
    urn: string;
    type: string;
    name: string;
    /** Inputs for Analyze, state for AnalyzeStack (secrets in the engine's wire form). */
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
    protect: boolean;
    parentUrn?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
}

const struct = (value: Record<string, unknown>) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));

/** What the engine would send for each resource of a run (components and providers included). */
export function analyzedResources(run: StackRun): AnalyzedResource[] {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const providerOf = (r: RecordedResource): AnalyzedResource["provider"] => {
        if (!r.provider) return undefined;
        const explicit = byUrn.get(r.provider);
        if (explicit) return { urn: explicit.urn, type: explicit.type, name: explicit.name, properties: explicit.inputs };
        const pkg = r.provider.replace(/^default_/, "");
        return { urn: `urn:pulumi:${run.stack}::lifesci-streaming::pulumi:providers:${pkg}::default`, type: `pulumi:providers:${pkg}`, name: "default", properties: {} };
    };
    return run.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            inputs: r.inputs,
            state: r.state,
            protect: r.protect,
            parentUrn: r.parentUrn,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            provider: providerOf(r),
        }));
}

function options(r: AnalyzedResource) {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(r.protect);
    if (r.parentUrn) opts.setParent(r.parentUrn);
    return opts;
}

function provider(r: AnalyzedResource) {
    if (!r.provider) return undefined;
    const p = new analyzerproto.AnalyzerProviderResource();
    p.setUrn(r.provider.urn);
    p.setType(r.provider.type);
    p.setName(r.provider.name);
    p.setProperties(struct(r.provider.properties));
    return p;
}

export class PolicyAnalyzer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        readonly stderr: string[],
    ) {}

    /** Starts the pack like the CLI's policy host (cwd = the pack, `<host> <engine> <pack dir>`). */
    static async start(): Promise<PolicyAnalyzer> {
        const { child, port, stderr } = await startPluginProcess({
            what: "policy pack",
            script: HOST_SCRIPT,
            args: ["127.0.0.1:1", "."],
            cwd: PACK_DIR,
            timeoutMs: 60_000,
            hint: "did you run npm ci --prefix policy?",
        });
        const analyzer = new PolicyAnalyzer(child, new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()), stderr);
        await analyzer.call("getAnalyzerInfo", new emptyproto.Empty());
        await analyzer.call("getPluginInfo", new emptyproto.Empty());
        return analyzer;
    }

    private call(method: string, request: unknown): Promise<any> {
        return new Promise((resolve, reject) => {
            this.client[method](request, (err: any, res: any) => (err ? reject(new Error(`analyzer ${method}: ${err.details ?? err.message}`)) : resolve(res)));
        });
    }

    private static diagnostics(res: any): Diagnostic[] {
        return res.getDiagnosticsList().map((d: any) => ({
            policy: d.getPolicyname(),
            level: LEVELS[d.getEnforcementlevel()],
            urn: d.getUrn(),
            message: d.getMessage(),
        }));
    }

    /** The pack's info as the engine reads it at start (name, policies, levels). */
    async info(): Promise<{ name: string; policies: { name: string; level: string }[] }> {
        const res = await this.call("getAnalyzerInfo", new emptyproto.Empty());
        return {
            name: res.getName(),
            policies: res.getPoliciesList().map((p: any) => ({ name: p.getName(), level: LEVELS[p.getEnforcementlevel()] })),
        };
    }

    /**
     * `Analyze` for every resource (inputs), then `AnalyzeStack` (state): every diagnostic.
     * `analyzeOnly` limits the per-resource calls (e.g. to the resources a broken copy changed,
     * when the others are known to pass); AnalyzeStack always gets the whole stack.
     */
    async analyzeRun(resources: AnalyzedResource[], analyzeOnly?: readonly string[]): Promise<Diagnostic[]> {
        // The engine analyzes resources as they register, concurrently.
        const perResource = resources.filter((r) => !analyzeOnly || analyzeOnly.includes(r.urn)).map(async (r) => {
            const req = new analyzerproto.AnalyzeRequest();
            req.setUrn(r.urn);
            req.setType(r.type);
            req.setName(r.name);
            req.setProperties(struct(r.inputs));
            req.setOptions(options(r));
            const p = provider(r);
            if (p) req.setProvider(p);
            return PolicyAnalyzer.diagnostics(await this.call("analyze", req));
        });
        const found: Diagnostic[] = (await Promise.all(perResource)).flat();
        const stack = new analyzerproto.AnalyzeStackRequest();
        stack.setResourcesList(
            resources.map((r) => {
                const ar = new analyzerproto.AnalyzerResource();
                ar.setUrn(r.urn);
                ar.setType(r.type);
                ar.setName(r.name);
                ar.setProperties(struct(r.state));
                ar.setOptions(options(r));
                const p = provider(r);
                if (p) ar.setProvider(p);
                if (r.parentUrn) ar.setParent(r.parentUrn);
                ar.setDependenciesList(r.dependencies);
                const deps = ar.getPropertydependenciesMap();
                for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
                    const pd = new analyzerproto.AnalyzerPropertyDependencies();
                    pd.setUrnsList(urns);
                    deps.set(prop, pd);
                }
                return ar;
            }),
        );
        found.push(...PolicyAnalyzer.diagnostics(await this.call("analyzeStack", stack)));
        return found;
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }
}

