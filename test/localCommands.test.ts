// `npm run local:down` and `npm run local:pin-plugins` fail with what to do next.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { destroyLocal } from "../scripts/local";
import { pluginSums } from "../scripts/pinConnectPlugins";

describe("local commands: failures say what to do", () => {
    it("a failing local:down names the error and how to clean up by hand", async () => {
        const stack = { destroy: async () => Promise.reject(new Error("code: 255\n stderr: error: Cannot connect to the Docker daemon\n at foo")) };
        await assert.rejects(destroyLocal(stack as never, "lifesci-local", ".pulumi/local-state"), (err: Error) => {
            assert.match(err.message, /^pulumi destroy of the local stack failed: error: Cannot connect to the Docker daemon\nTo clean up by hand:\n/);
            assert.match(err.message, /docker rm -f .*lifesci-local-/);
            assert.match(err.message, /rm -rf \.pulumi\/local-state/);
            return true;
        });
    });

    describe("local:pin-plugins", () => {
        let server: http.Server;
        let base: string;
        before(async () => {
            server = http.createServer((req, res) => {
                if (req.url === "/ok.jar") res.end("jar bytes");
                else res.writeHead(404, "Not Found").end();
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));

        it("hashes each download", async () => {
            assert.deepEqual(await pluginSums([{ file: "ok.jar", url: `${base}/ok.jar` }]), [
                { file: "ok.jar", sha256: createHash("sha256").update("jar bytes").digest("hex") },
            ]);
        });

        it("an HTTP error names the URL and the status", async () => {
            await assert.rejects(pluginSums([{ file: "ok.jar", url: `${base}/ok.jar` }, { file: "gone.zip", url: `${base}/gone.zip` }]), (err: Error) => {
                assert.equal(err.message.split(" (")[0], `${base}/gone.zip: HTTP 404 Not Found`);
                return true;
            });
        });

        it("a network error names the URL and the reason, not just `fetch failed`", async () => {
            const closed = http.createServer();
            await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
            const port = (closed.address() as AddressInfo).port;
            await new Promise<void>((resolve) => closed.close(() => resolve()));
            const url = `http://127.0.0.1:${port}/x.zip`;
            await assert.rejects(pluginSums([{ file: "x.zip", url }]), new RegExp(`^Error: ${url.replace(/[./]/g, "\\$&")}: ECONNREFUSED \\(downloading x\\.zip`));
        });
    });
});
