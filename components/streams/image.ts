// The Streams app's image: built from the repository (the app's own multi-stage Dockerfile) with
// the Docker build provider and pushed to its ECR repository. Tags are immutable, so the tag is the
// hash of the build context: the same sources give the same tag (no rebuild), a change a new one.
//   ECR tag immutability: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
//   ECR basic scanning on push: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html
//   ECR lifecycle policies: https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
//   ECR encryption (KMS): https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
//   Docker build provider (buildx; push with registry credentials): https://www.pulumi.com/registry/packages/docker-build/api-docs/image/
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { StreamsApp } from "../catalog";

export const REPO_ROOT = path.join(__dirname, "..", "..");

/** The app's Docker build context (its folder) and Dockerfile; fails naming the file when missing. */
export function buildContextOf(app: StreamsApp, root = REPO_ROOT): { context: string; dockerfile: string } {
    const context = path.join(root, app.dir);
    const dockerfile = path.join(context, "Dockerfile");
    if (!fs.existsSync(dockerfile)) throw new Error(`Kafka Streams app ${app.name}: ${path.join(app.dir, "Dockerfile")} not found; the image is built from it`);
    return { context, dockerfile };
}

/** Directories that are build output or tooling, never image input. */
const IGNORED = new Set(["target", "node_modules", ".git", ".idea", ".mvn-cache"]);

/** sha256 over the relative paths and contents of the build context's files, in a stable order. */
export function buildContextHash(context: string): string {
    const hash = crypto.createHash("sha256");
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (IGNORED.has(entry.name)) continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) {
                hash.update(path.relative(context, full)).update("\0").update(fs.readFileSync(full)).update("\0");
            }
        }
    };
    walk(context);
    return hash.digest("hex");
}

/**
 * Keep the images a rollback may need and nothing else: untagged layers (interrupted pushes) go
 * after a day, and only the newest `keep` tagged images stay.
 */
export function ecrLifecyclePolicy(keep: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: "Expire untagged images after 1 day",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the ${keep} newest images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    });
}

export interface StreamsImageArgs {
    namePrefix: string;
    app: StreamsApp;
    protect: boolean;
    tags: Record<string, string>;
}

export class StreamsImage extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly image: dockerBuild.Image;
    /** `<repository url>:<tag>@sha256:<digest>`: what the task definition runs. */
    readonly ref: pulumi.Output<string>;

    constructor(name: string, args: StreamsImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streams:StreamsImage", name, {}, opts);
        const { context, dockerfile } = buildContextOf(args.app);
        const tag = buildContextHash(context).slice(0, 20);

        this.repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: `${args.namePrefix}/${args.app.dir.split("/").pop()}`,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                // prod keeps its images (the audit trail of what ran); dev may be torn down.
                forceDelete: !args.protect,
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        new aws.ecr.LifecyclePolicy(`${name}-lifecycle`, { repository: this.repository.name, policy: ecrLifecyclePolicy(args.protect ? 30 : 10) }, { parent: this });

        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: this.repository.registryId }, { parent: this });
        this.image = new dockerBuild.Image(
            `${name}-image`,
            {
                // Relative to the project directory (where `pulumi` runs the program and the
                // provider): the same inputs from every checkout, so a runner's path is no diff.
                context: { location: path.relative(REPO_ROOT, context) },
                dockerfile: { location: path.relative(REPO_ROOT, dockerfile) },
                platforms: ["linux/amd64"],
                push: true,
                tags: [pulumi.interpolate`${this.repository.repositoryUrl}:${tag}`],
                registries: [{ address: this.repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
            },
            { parent: this },
        );
        this.ref = this.image.ref;
        this.registerOutputs({ repositoryUrl: this.repository.repositoryUrl, ref: this.ref });
    }
}
