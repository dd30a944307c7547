// Runs @pulumi/pulumi's own dynamic-provider host (the process the engine launches for
// `pulumi-nodejs:dynamic:Resource`) and talks to it over gRPC the way the engine does: the
// properties carry the serialized provider (`__provider`) the SDK produced at registration, secrets
// arrive unwrapped (the host does not accept secrets), and errors come back as gRPC status text.
// What this proves: the serialized closures work outside the program's process, as under `pulumi up`.
import type { ChildProcess } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { REPO_ROOT } from "../../scripts/mockEngine";
import { startPluginProcess } from "./pluginProcess";

/* eslint-disable @typescript-eslint/no-require-imports */
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const HOST_SCRIPT = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");

export type Props = Record<string, unknown>;

export interface DiffAnswer {
    changes: "none" | "some" | "unknown";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** An error the host returned: `details` is the text the engine would print. */
export class HostError extends Error {
    constructor(
        readonly method: string,
        readonly details: string,
        readonly code: number,
    ) {
        super(`${method}: ${details}`);
    }
}

const struct = (value: Props) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));

export class DynamicProviderHost {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        /** What the host printed on stderr (it logs errors of check/read/delete there). */
        readonly stderr: string[],
    ) {}

    /** Starts the host the way the engine does (`node <host> <engine address>`, cwd = project) and connects. */
    static async start(timeoutMs = 20_000): Promise<DynamicProviderHost> {
        const { child, port, stderr } = await startPluginProcess({
            what: "dynamic-provider host",
            script: HOST_SCRIPT,
            args: ["127.0.0.1:1"],
            cwd: REPO_ROOT,
            env: { ...process.env, PULUMI_PROJECT: "lifesci-streaming", PULUMI_STACK: "host-test" },
            timeoutMs,
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new DynamicProviderHost(child, client, stderr);
        // The engine configures every provider before use.
        const configure = new provproto.ConfigureRequest();
        configure.setArgs(struct({}));
        configure.setAcceptsecrets(true);
        await host.call("configure", configure);
        return host;
    }

    private call(method: string, request: unknown): Promise<any> {
        return new Promise((resolve, reject) => {
            this.client[method](request, (err: grpc.ServiceError | null, response: any) => {
                if (err) reject(new HostError(method, err.details ?? err.message, err.code));
                else resolve(response);
            });
        });
    }

    async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(urn);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        const res = await this.call("check", req);
        return {
            inputs: res.getInputs().toJavaScript(),
            failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffAnswer> {
        const req = new provproto.DiffRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        const res = await this.call("diff", req);
        const kinds = provproto.DiffResponse.DiffChanges;
        const changes = res.getChanges() === kinds.DIFF_SOME ? "some" : res.getChanges() === kinds.DIFF_NONE ? "none" : "unknown";
        return { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; outs: Props }> {
        const req = new provproto.CreateRequest();
        req.setUrn(urn);
        req.setProperties(struct(properties));
        const res = await this.call("create", req);
        return { id: res.getId(), outs: res.getProperties().toJavaScript() };
    }

    async read(urn: string, id: string, properties: Props, inputs: Props): Promise<{ id: string; props: Props }> {
        const req = new provproto.ReadRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(struct(properties));
        req.setInputs(struct(inputs));
        const res = await this.call("read", req);
        return { id: res.getId(), props: res.getProperties().toJavaScript() };
    }

    async update(urn: string, id: string, olds: Props, news: Props): Promise<Props> {
        const req = new provproto.UpdateRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        const res = await this.call("update", req);
        return res.getProperties().toJavaScript();
    }

    async delete(urn: string, id: string, properties: Props): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(struct(properties));
        await this.call("delete", req);
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }
}

