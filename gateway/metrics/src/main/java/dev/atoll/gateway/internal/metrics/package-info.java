/**
 * The gateway's metrics: Micrometer meters with a Prometheus registry, fed by the call pipeline, the
 * DLP pipeline, the isolate pool's and the runtime's observers, and scraped at the admin listener's
 * {@code /metrics}.
 */
package dev.atoll.gateway.internal.metrics;
