import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The bot's Prometheus metrics on their own registry: PnL split, position, quotes, fills, fill rate, request
 * budget, request latency, risk modes and breaker states.
 *
 * @example
 * ```ts
 * const metrics = new Metrics();
 * const server = await metrics.serve(9464); // GET http://127.0.0.1:9464/metrics
 * ```
 */
export class Metrics {
  readonly registry = new Registry();
  readonly pnl = new Gauge({
    name: "botmm_pnl_usd",
    help: "PnL in USD by part (total, spread, inventory, fees, funding)",
    labelNames: ["part"],
    registers: [this.registry],
  });
  readonly position = new Gauge({
    name: "botmm_position",
    help: "Signed position in base units",
    labelNames: ["coin"],
    registers: [this.registry],
  });
  readonly positionUsd = new Gauge({
    name: "botmm_position_usd",
    help: "Signed position notional at the mid",
    labelNames: ["coin"],
    registers: [this.registry],
  });
  readonly quotes = new Gauge({
    name: "botmm_quote_price",
    help: "Best wanted quote price per side",
    labelNames: ["coin", "side"],
    registers: [this.registry],
  });
  readonly fills = new Counter({
    name: "botmm_fills_total",
    help: "Own fills",
    labelNames: ["coin", "side"],
    registers: [this.registry],
  });
  readonly fillRate = new Gauge({
    name: "botmm_fill_rate_per_hour",
    help: "Own fills per hour since start (all runs' fills / this run's time)",
    labelNames: ["coin"],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: "botmm_rejections_total",
    help: "Orders the venue rejected",
    labelNames: ["coin"],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: "botmm_requests_total",
    help: "Exchange requests sent",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly budget = new Gauge({
    name: "botmm_request_budget",
    help: "Request budget: address requests left, IP weight left, slow-down flag, sustainable requests per second, deferred modifies",
    labelNames: ["budget"],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "botmm_request_latency_seconds",
    help: "Exchange request latency",
    labelNames: ["kind"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly riskMode = new Gauge({
    name: "botmm_risk_mode",
    help: "Risk mode per coin: 0 allow, 1 reduce-only, 2 halt",
    labelNames: ["coin"],
    registers: [this.registry],
  });
  readonly breaker = new Gauge({
    name: "botmm_breaker_active",
    help: "1 while a risk rule is active",
    labelNames: ["rule"],
    registers: [this.registry],
  });
  readonly errors = new Gauge({ name: "botmm_errors", help: "Errors this run", registers: [this.registry] });
  readonly bookUpdates = new Counter({
    name: "botmm_book_updates_total",
    help: "Book updates received",
    registers: [this.registry],
  });

  /**
   * Serves `GET /metrics` on 127.0.0.1 (or `host`); port 0 picks a free one. Resolves with the server.
   *
   * @example
   * ```ts
   * const server = await metrics.serve(0);
   * (server.address() as AddressInfo).port;
   * ```
   */
  async serve(port: number, host = "127.0.0.1"): Promise<Server> {
    const server = createServer((request, response) => {
      if (request.url !== "/metrics") {
        response.writeHead(404).end("see /metrics\n");
        return;
      }
      this.registry
        .metrics()
        .then((text) => response.writeHead(200, { "Content-Type": this.registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    server.unref();
    return server;
  }
}

/**
 * The port a server listens on.
 *
 * @example
 * ```ts
 * serverPort(await metrics.serve(0)); // e.g. 41234
 * ```
 */
export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
