// The lifecycle shared by the in-process REST fakes (ksqlDB, Kafka Connect): listen on a free
// loopback port, expose the endpoint, close every connection on stop.
import * as http from "http";
import { AddressInfo } from "net";

export abstract class FakeHttpServer {
    private server?: http.Server;

    get endpoint(): string {
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return this;
    }

    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }

    protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void;
}
